"""The request corpus: one JSON file per HTTP request, described by ``corpus-request.schema.json``.

``load_corpus(dir)`` reads every ``*.json`` file of a directory (not recursive), validates each
against the schema and returns the requests sorted by id. Every problem of every file is collected
and raised together as one ``CorpusError`` naming the file and the reason (the CLI prints it and
exits with the usage code). The default corpus is ``fixtures/requests/`` (bundled in the wheel).
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jsonschema

from conformance._redact import SECRET_BODY_KEYS, SECRET_HEADERS

__all__ = [
    "CORPUS_KEY",
    "CORPUS_SCHEMA",
    "CorpusError",
    "CorpusRequest",
    "Mode",
    "default_corpus_dir",
    "load_corpus",
    "missing_variables",
]

CORPUS_SCHEMA = Path(__file__).with_name("corpus-request.schema.json")
CORPUS_KEY = "stratus_sk_test_corpus00000000"
"""The fake, well-formed Stratus key the bundled corpus carries (``--api-key`` replaces it)."""
Mode = Literal["exact", "shape"]
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class CorpusError(ValueError):
    """One or more corpus files are unreadable or do not follow the corpus schema."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CorpusRequest:
    id: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    description: str = ""
    category: str = ""
    raw_body: str | None = None
    pad_to_bytes: int | None = None
    stream: bool = False
    expect_status: int | None = None
    mode: Mode | None = None
    timeout_s: float | None = None
    schema: str | None = None
    body_valid: bool | None = None

    @property
    def dialect(self) -> str:
        """``anthropic`` for ``/v1/messages...``, else ``openai`` (D-ERR-1)."""
        return "anthropic" if self.path.startswith("/v1/messages") else "openai"

    def content(self) -> bytes | None:
        """The bytes to send: the raw body, or the JSON body (padded with whitespace when asked)."""
        if self.raw_body is not None:
            return self.raw_body.encode()
        if self.body is None:
            return None
        data = json.dumps(self.body, ensure_ascii=False).encode()
        if self.pad_to_bytes is not None:
            data += b" " * max(0, self.pad_to_bytes - len(data))
        return data

    def variables(self) -> set[str]:
        """Environment variables the headers name as ``${NAME}``."""
        return {m.group(1) for v in self.headers.values() for m in _VARIABLE.finditer(v)}

    def send_headers(self, env: Mapping[str, str], api_key: str | None = None) -> dict[str, str]:
        """The headers as sent: ``${NAME}`` expanded from ``env``; ``api_key`` replaces the corpus key."""
        out = {}
        for name, value in self.headers.items():
            value = _VARIABLE.sub(lambda m: env[m.group(1)], value)
            if api_key:
                value = value.replace(CORPUS_KEY, api_key)
            out[name] = value
        return out

    def secrets(self, env: Mapping[str, str] | None = None, api_key: str | None = None) -> list[str]:
        """Credentials this request carries (secret headers, BYOK body keys): never to be stored."""
        headers = self.send_headers(env or {}, api_key) if env is not None else self.headers
        found = [
            value.partition(" ")[2] if name.lower() == "authorization" and " " in value else value
            for name, value in headers.items()
            if name.lower() in SECRET_HEADERS
        ]
        if isinstance(self.body, dict):
            found += [str(self.body[k]) for k in sorted(SECRET_BODY_KEYS) if self.body.get(k)]
        if api_key:
            found.append(api_key)
        return [s for s in dict.fromkeys(found) if len(s) >= 6]


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(CORPUS_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def default_corpus_dir() -> Path:
    """``fixtures/requests/`` of a checkout, or the copy bundled in the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "fixtures" / "requests", here / "_bundled_requests"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("fixtures/requests/ not found beside the conformance package")


def _problems(path: Path, raw: Any) -> list[str]:
    errors = sorted(_validator().iter_errors(raw), key=lambda e: list(e.absolute_path))
    out = []
    for err in errors[:5]:
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        out.append(f"{path}: {where}: {err.message[:300]}")
    if isinstance(raw, dict) and "id" in raw and raw["id"] != path.stem:
        out.append(f"{path}: id {raw['id']!r} is not the file name {path.stem!r}")
    return out


def _request(path: Path, raw: dict[str, Any]) -> CorpusRequest:
    return CorpusRequest(
        id=path.stem,
        method=raw["method"],
        path=raw["path"],
        headers=dict(raw.get("headers") or {}),
        body=raw.get("body"),
        description=raw.get("description", ""),
        category=raw.get("category", ""),
        raw_body=raw.get("raw_body"),
        pad_to_bytes=raw.get("pad_to_bytes"),
        stream=bool(raw.get("stream", False)),
        expect_status=raw.get("expect_status"),
        mode=raw.get("mode"),
        timeout_s=raw.get("timeout_s"),
        schema=raw.get("schema"),
        body_valid=raw.get("body_valid"),
    )


def load_corpus(directory: Path | None = None) -> list[CorpusRequest]:
    """Every request of ``directory`` (default: the bundled corpus), sorted by id.

    Raises ``CorpusError`` listing every file that is not JSON or does not follow the schema, and
    when the directory is missing or holds no ``*.json`` file."""
    directory = directory or default_corpus_dir()
    if not directory.is_dir():
        raise CorpusError([f"{directory}: not a directory of request files"])
    files = sorted(directory.glob("*.json"))
    if not files:
        raise CorpusError([f"{directory}: no *.json request files"])
    problems: list[str] = []
    requests: list[CorpusRequest] = []
    for path in files:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            problems.append(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})")
            continue
        except json.JSONDecodeError as exc:
            problems.append(f"{path}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
            continue
        found = _problems(path, raw)
        if found:
            problems += found
            continue
        requests.append(_request(path, raw))
    if problems:
        raise CorpusError(problems)
    return sorted(requests, key=lambda r: r.id)


def missing_variables(requests: list[CorpusRequest], env: Mapping[str, str] | None = None) -> list[str]:
    """``${NAME}`` references with no environment variable, as ``id: NAME`` lines."""
    env = os.environ if env is None else env
    return [
        f"{r.id}.json: headers name ${{{name}}}, an environment variable that is not set"
        for r in requests
        for name in sorted(r.variables() - set(env))
    ]
