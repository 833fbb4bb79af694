"""spec/ is valid, and every upstream example and counter-example behaves as declared."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate

from conformance import _spec

EXAMPLES = _spec.spec_dir() / "examples"


def _load(name: str) -> Any:
    with (EXAMPLES / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _instances(entry: dict[str, Any]) -> Iterator[Any]:
    if "instance" in entry:
        yield entry["instance"]
    yield from entry.get("instances", [])


def _errors(component: str, instance: Any) -> list[str]:
    return [error.message for error in _spec.validator_for(component).iter_errors(instance)]


def test_openapi_document_is_valid() -> None:
    validate(_spec.load_openapi(), base_uri=(_spec.spec_dir() / "openapi.yaml").as_uri())


def test_bundled_openapi_document_is_valid_and_self_contained() -> None:
    bundled = _spec.load_openapi_bundled()
    validate(bundled)
    refs = [ref for ref in _iter_refs(bundled) if not ref.startswith("#/")]
    assert refs == []


def _iter_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _iter_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _iter_refs(item)


REQUIRED_COMPONENTS = [
    "ChatCompletionRequest",
    "ChatCompletionResponse",
    "ChatCompletionChunk",
    "StratusMetadata",
    "MessagesRequest",
    "MessagesResponse",
    "MessagesStreamEvent",
    "OpenAIErrorResponse",
    "AnthropicErrorResponse",
    "ModelList",
]


@pytest.mark.parametrize("name", REQUIRED_COMPONENTS)
def test_required_component_is_a_standalone_schema_referenced_by_openapi(name: str) -> None:
    assert _spec.load_openapi()["components"]["schemas"][name] == {"$ref": f"schemas/{name}.json"}
    assert _spec.load_schema(name)["$id"] == f"{_spec.SCHEMA_BASE_URI}{name}.json"


@pytest.mark.parametrize("name", _spec.component_names())
def test_schema_passes_the_2020_12_meta_schema(name: str) -> None:
    schema = _spec.load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{_spec.SCHEMA_BASE_URI}{name}.json"
    assert schema["title"] == name
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_schema_file_is_a_component() -> None:
    assert set(_spec.component_names()) <= set(_spec.load_openapi()["components"]["schemas"])


def test_file_references_resolve() -> None:
    for name in _spec.component_names():
        for ref in _iter_refs(_spec.load_schema(name)):
            target = ref.partition("#")[0]
            if target:
                assert (_spec.spec_dir() / "schemas" / target).is_file(), f"{name}: {ref}"


_UPSTREAM = _load("upstream.yaml")["examples"]
_FRAGMENTS = _load("fragments.yaml")["fragments"]
_COUNTER = _load("counter.yaml")["counter_examples"]


@pytest.mark.parametrize("entry", _UPSTREAM, ids=[e["id"] for e in _UPSTREAM])
def test_upstream_example_validates(entry: dict[str, Any]) -> None:
    assert entry["source"]
    instances = list(_instances(entry))
    assert instances
    for instance in instances:
        assert _errors(entry["component"], instance) == []


@pytest.mark.parametrize("entry", _FRAGMENTS, ids=[e["id"] for e in _FRAGMENTS])
def test_upstream_fragment_fails_only_for_the_recorded_reasons(entry: dict[str, Any]) -> None:
    assert entry["decision"]
    messages = _all_messages(entry["component"], entry["instance"])
    for expected in entry["expected_errors"]:
        assert any(expected in message for message in messages), (expected, messages)


def _all_messages(component: str, instance: Any) -> list[str]:
    out: list[str] = []

    def walk(errors: Any) -> None:
        for error in errors:
            out.append(error.message)
            walk(error.context or [])

    walk(_spec.validator_for(component).iter_errors(instance))
    return out


@pytest.mark.parametrize("entry", _COUNTER, ids=[e["id"] for e in _COUNTER])
def test_counter_example_is_rejected_for_its_reason(entry: dict[str, Any]) -> None:
    messages = _all_messages(entry["component"], entry["instance"])
    assert messages, f"{entry['id']} was accepted"
    assert any(entry["error"] in message for message in messages), messages


def test_example_ids_are_unique() -> None:
    ids = [e["id"] for e in _UPSTREAM + _FRAGMENTS + _COUNTER]
    assert len(ids) == len(set(ids))


def test_issue_named_counter_examples_exist() -> None:
    ids = {e["id"] for e in _COUNTER}
    assert {
        "stratus.overall-confidence-above-1",
        "chat.response.finish-reason-done",
        "chat.chunk.object-completion",
        "messages.request.without-max-tokens",
    } <= ids


def test_every_decision_cited_in_spec_is_written_down() -> None:
    decisions = (_spec.spec_dir() / "DECISIONS.md").read_text(encoding="utf-8")
    text = (_spec.spec_dir() / "openapi.yaml").read_text(encoding="utf-8") + "".join(
        path.read_text(encoding="utf-8") for path in sorted((_spec.spec_dir() / "schemas").glob("*.json"))
    )
    import re

    cited = set(re.findall(r"\bD-[A-Z]+-\d+\b", text))
    assert cited
    missing = sorted(d for d in cited if not re.search(rf"\*\*{d}\b", decisions))
    assert missing == []


def test_schema_files_are_canonical_json() -> None:
    for path in sorted((_spec.spec_dir() / "schemas").glob("*.json")):
        json.loads(path.read_text(encoding="utf-8"))
        assert Path(path).read_text(encoding="utf-8").endswith("\n")
