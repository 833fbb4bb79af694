"""Documented-upstream cassettes (`fixtures/cassettes/upstream/`): loading, replay, structure comparison.

Each cassette holds ONE request/response pair shown in the upstream docs, taken from documentation and
never recorded (see `fixtures/cassettes/upstream/PROVENANCE.md`). They are replayed with vcrpy in
`record_mode="none"`, so no test here can reach a network.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import vcr
import yaml

from conformance._redact import SECRET_HEADERS
from tests._corpus import CORPUS_KEY, ROOT, parse_sse

__all__ = [
    "ALLOWED_DIFFERENCES",
    "CASSETTE_DIR",
    "Allowed",
    "Difference",
    "DocumentedPair",
    "load_pairs",
    "structure_differences",
    "upstream_vcr",
]

CASSETTE_DIR = ROOT / "fixtures" / "cassettes" / "upstream"
PROVENANCE_HEADER = "x-stratus-provenance"

upstream_vcr = vcr.VCR(
    cassette_library_dir=str(CASSETTE_DIR),
    record_mode="none",
    # The body matcher compares parsed JSON (the cassette request says application/json), so a
    # replay proves the SDK sent exactly the documented request body.
    match_on=["method", "scheme", "host", "port", "path", "query", "body"],
    filter_headers=sorted(SECRET_HEADERS),
    decode_compressed_response=True,
)


@dataclass(frozen=True)
class DocumentedPair:
    name: str
    path: Path
    method: str
    uri: str
    api_path: str
    request_body: dict[str, Any]
    status: int
    headers: dict[str, str]
    text: str
    provenance: str
    header_comment: str

    @property
    def dialect(self) -> Literal["openai", "anthropic"]:
        return "anthropic" if self.api_path.startswith("/v1/messages") else "openai"

    @property
    def is_stream(self) -> bool:
        return self.headers.get("content-type", "").startswith("text/event-stream")

    @property
    def body(self) -> Any:
        return json.loads(self.text)

    def events(self) -> list[tuple[str | None, Any]]:
        return [(e.event, e.data) for e in parse_sse(self.text)]

    def reference_headers(self) -> dict[str, str]:
        """Headers to send the same request to the reference server (the corpus' fake key)."""
        if self.dialect == "anthropic":
            return {
                "x-api-key": CORPUS_KEY,
                "anthropic-version": "2023-06-01",
                "content-type": "application/json",
            }
        return {"authorization": f"Bearer {CORPUS_KEY}", "content-type": "application/json"}


def _load(path: Path) -> DocumentedPair:
    text = path.read_text(encoding="utf-8")
    comment = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    data = yaml.safe_load(text)
    (interaction,) = data["interactions"]
    req, resp = interaction["request"], interaction["response"]
    headers = {k.lower(): v[0] for k, v in resp["headers"].items()}
    uri = req["uri"]
    return DocumentedPair(
        name=path.stem,
        path=path,
        method=req["method"],
        uri=uri,
        api_path=re.sub(r"^https?://[^/]+", "", uri),
        request_body=json.loads(req["body"]),
        status=int(resp["status"]["code"]),
        headers=headers,
        text=resp["body"]["string"],
        provenance=headers.get(PROVENANCE_HEADER, ""),
        header_comment=comment,
    )


def load_pairs() -> list[DocumentedPair]:
    return [_load(p) for p in sorted(CASSETTE_DIR.glob("*.yaml"))]


# --------------------------------------------------------------------------- structure comparison

Kind = Literal["missing", "extra", "type", "enum", "length", "events"]


@dataclass(frozen=True)
class Difference:
    kind: Kind
    path: str
    detail: str


@dataclass(frozen=True)
class Allowed:
    """A difference between a documented answer and the reference server's answer that is expected."""

    pairs: str
    """Regex (full match) over cassette names."""
    kind: Kind
    path: str
    """Regex (full match) over the dotted path (`*` for list items; events as `<event name>.<path>`)."""
    reason: str


# Values are never compared (text, ids, token counts, plans and timings are the model's business);
# only field names, JSON types, list shapes of objects and the values of the enum-like keys below.
ENUM_KEYS = frozenset({"object", "type", "role", "finish_reason", "stop_reason", "key_source"})
# Tool arguments are whatever the model chose to pass: compared by JSON type only.
OPAQUE_KEYS = frozenset({"input", "arguments"})

ALLOWED_DIFFERENCES: tuple[Allowed, ...] = (
    Allowed(
        "chat-.*",
        "extra",
        r"choices\.\*\.(logprobs|message\.refusal)|system_fingerprint",
        "OpenAI sends `logprobs: null`, `refusal: null` and `system_fingerprint` (wire-checklist A6, A12); "
        "the docs' examples omit them",
    ),
    Allowed(
        "chat-tool-call",
        "extra",
        r"stratus",
        "D-STR-1: `stratus` is on every non-streamed chat completion; the docs' tool-call example omits it",
    ),
    Allowed(
        "chat-example",
        "extra",
        r"stratus\.(confidence|total_steps_executed|execution_trace)",
        "documented in the Quickstart and SDK types (FACTS.md section 5, StratusMetadata.json), "
        "not in the API reference's example",
    ),
    Allowed(
        "messages-(basic|tool-use)",
        "extra",
        r"stratus",
        "D-STR-1: the reference always sends `stratus` on messages responses; the docs' examples have none",
    ),
    Allowed(
        "messages-(basic|tool-use)",
        "extra",
        r"usage\.cache_(creation|read)_input_tokens",
        "Anthropic's Usage carries the cache counters (wire-checklist D4); the docs show two fields",
    ),
    Allowed(
        "messages-stream",
        "extra",
        r"message_start\.message\.(stratus|usage\.cache_(creation|read)_input_tokens)",
        "D-STR-1 (`stratus` rides on message_start) and wire-checklist D4 (cache counters)",
    ),
    Allowed(
        "messages-stream",
        "extra",
        r"message_delta\.(stratus|usage\.input_tokens)",
        "D-STR-1 (final `stratus` on message_delta); Anthropic's cumulative usage may repeat input_tokens (E7)",
    ),
    Allowed(
        "messages-error-max-tokens",
        "extra",
        r"request_id",
        "D-ERR-1 / D-HDR-1: the Anthropic envelope repeats the request id; the docs' example has none",
    ),
)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"  # integer-ness is the schema validators' business
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def structure_differences(documented: Any, reference: Any, path: str = "") -> list[Difference]:
    """Recursive comparison of field names, JSON types, enum values and lengths of object lists."""
    here = path or "<root>"
    if json_type(documented) != json_type(reference):
        return [
            Difference("type", here, f"documented {json_type(documented)}, reference {json_type(reference)}")
        ]
    out: list[Difference] = []
    if isinstance(documented, dict):
        prefix = f"{path}." if path else ""
        for key in documented:
            if key not in reference:
                out.append(
                    Difference("missing", prefix + key, "documented field absent in the reference answer")
                )
            elif key in OPAQUE_KEYS:
                if json_type(documented[key]) != json_type(reference[key]):
                    out.append(Difference("type", prefix + key, "tool arguments of another JSON type"))
            else:
                if (
                    key in ENUM_KEYS
                    and isinstance(documented[key], str)
                    and documented[key] != reference[key]
                ):
                    out.append(Difference("enum", prefix + key, f"{documented[key]!r} != {reference[key]!r}"))
                out += structure_differences(documented[key], reference[key], prefix + key)
        out += [
            Difference("extra", prefix + key, "not in the documented answer")
            for key in reference
            if key not in documented
        ]
    elif isinstance(documented, list):
        item = f"{path}.*" if path else "*"
        if any(isinstance(v, dict) for v in documented + reference) and len(documented) != len(reference):
            out.append(
                Difference(
                    "length", here, f"{len(documented)} documented items, {len(reference)} in the reference"
                )
            )
        for doc_item, ref_item in zip(documented, reference, strict=False):
            out += structure_differences(doc_item, ref_item, item)
    return out


def collapse(names: list[str | None]) -> list[str | None]:
    """Event names with runs of the same name collapsed (the grammar, not the number of deltas)."""
    out: list[str | None] = []
    for name in names:
        if not out or out[-1] != name:
            out.append(name)
    return out


def stream_differences(
    documented: list[tuple[str | None, Any]], reference: list[tuple[str | None, Any]]
) -> list[Difference]:
    """Same event grammar, and each event type shaped like its first documented instance."""
    doc_names, ref_names = collapse([n for n, _ in documented]), collapse([n for n, _ in reference])
    if doc_names != ref_names:
        return [Difference("events", "<events>", f"documented {doc_names}, reference {ref_names}")]
    out: list[Difference] = []
    first_ref: dict[str | None, Any] = {}
    for name, data in reference:
        first_ref.setdefault(name, data)
    seen: set[str | None] = set()
    for name, data in documented:
        if name in seen:
            continue
        seen.add(name)
        out += structure_differences(data, first_ref[name], str(name))
    return out


def explain(pair: str, differences: list[Difference]) -> tuple[list[Difference], set[Allowed]]:
    """Split into (unexplained differences, allowed entries that explained something)."""
    unexplained: list[Difference] = []
    used: set[Allowed] = set()
    for diff in differences:
        match = next(
            (
                a
                for a in ALLOWED_DIFFERENCES
                if a.kind == diff.kind and re.fullmatch(a.pairs, pair) and re.fullmatch(a.path, diff.path)
            ),
            None,
        )
        if match is None:
            unexplained.append(diff)
        else:
            used.add(match)
    return unexplained, used
