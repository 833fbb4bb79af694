"""Access to the contract in ``spec/``: the OpenAPI document and its JSON Schemas.

The JSON Schemas under ``spec/schemas/`` are the single source of truth; ``openapi.yaml`` refers to
them by relative file references. Tools that cannot follow file references (schemathesis, Litestar)
get :func:`load_openapi_bundled`, where every file is inlined under ``components/schemas``.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = [
    "SCHEMA_BASE_URI",
    "component_names",
    "load_openapi",
    "load_openapi_bundled",
    "load_schema",
    "schema_registry",
    "spec_dir",
    "validator_for",
]

SCHEMA_BASE_URI = "https://stratus-conformance.dev/spec/schemas/"


@functools.cache
def spec_dir() -> Path:
    """The ``spec/`` directory: bundled in the wheel, or beside the packages in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_bundled_spec", here.parent / "spec"):
        if (candidate / "openapi.yaml").is_file():
            return candidate
    raise FileNotFoundError("spec/openapi.yaml not found beside the conformance package")


@functools.cache
def _schema_files() -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    for path in sorted((spec_dir() / "schemas").glob("*.json")):
        files[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return files


def component_names() -> list[str]:
    """Names of the standalone schemas (one file each, named after the OpenAPI component)."""
    return list(_schema_files())


def load_schema(name: str) -> dict[str, Any]:
    """A copy of ``spec/schemas/<name>.json``."""
    return copy.deepcopy(_schema_files()[name])


@functools.cache
def load_openapi() -> dict[str, Any]:
    """``spec/openapi.yaml`` as written (file references left in place)."""
    with (spec_dir() / "openapi.yaml").open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = yaml.safe_load(fh)
    return loaded


@functools.cache
def schema_registry() -> Registry[Any]:
    """A ``referencing`` registry holding every schema under its ``$id``."""
    resources = [
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
        for schema in _schema_files().values()
    ]
    return Registry().with_resources(resources)


@functools.cache
def validator_for(component: str) -> jsonschema.Draft202012Validator:
    """A 2020-12 validator for a component (``"ChatCompletionChunk"``) or a ``$defs`` entry
    (``"ChatCompletionRequest#/$defs/Tool"``), with formats checked."""
    name, _, pointer = component.partition("#")
    if name not in _schema_files():
        raise KeyError(f"no schema named {name!r} in {spec_dir() / 'schemas'}")
    ref = SCHEMA_BASE_URI + name + ".json" + (f"#{pointer}" if pointer else "")
    return jsonschema.Draft202012Validator(
        {"$ref": ref},
        registry=schema_registry(),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def _rewrite_refs(node: Any, current: str) -> Any:
    """Turn file references into ``#/components/schemas/...`` pointers, drop nested ``$id``s."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("$id", "$schema"):
                continue
            if key == "$ref" and isinstance(value, str):
                out[key] = _bundle_ref(value, current)
            elif key == "discriminator" and isinstance(value, dict) and "mapping" in value:
                mapping = {tag: _bundle_ref(target, current) for tag, target in value["mapping"].items()}
                out[key] = {**value, "mapping": mapping}
            else:
                out[key] = _rewrite_refs(value, current)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, current) for item in node]
    return node


def _bundle_ref(ref: str, current: str) -> str:
    target, _, pointer = ref.partition("#")
    name = Path(target).stem if target else current
    base = f"#/components/schemas/{name}"
    return base + pointer if pointer else base


@functools.cache
def _bundled() -> dict[str, Any]:
    doc = copy.deepcopy(load_openapi())
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in _schema_files().items():
        schemas[name] = _rewrite_refs(schema, name)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                return {**{k: walk(v) for k, v in node.items() if k != "$ref"}, "$ref": _bundle_ref(ref, "")}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    for key, value in list(doc.items()):
        if key != "components":
            doc[key] = walk(value)
    components = doc["components"]
    for section, entries in list(components.items()):
        if section == "schemas":
            continue
        components[section] = walk(entries)
    return doc


def load_openapi_bundled() -> dict[str, Any]:
    """The OpenAPI document with every schema inlined under ``components/schemas``."""
    return copy.deepcopy(_bundled())
