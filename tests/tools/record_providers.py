"""Record real provider exchanges as vcrpy cassettes, with every key scrubbed (D-EXEC-1).

    STRATUS_OPENAI_API_KEY=sk-... STRATUS_ANTHROPIC_API_KEY=sk-ant-... \\
        python -m tests.tools.record_providers --out fixtures/cassettes/recorded

Each provider that has a `STRATUS_<PROVIDER>_API_KEY` (or `--provider` names) is exercised through
the reference server in upstream mode, in process: chat completions (JSON and stream) and messages
(tool use, JSON and stream). What the server sends to the provider and what the provider answers is
written to `<out>/<provider>-<scenario>.yaml`. Key headers are removed before anything is written
(vcrpy `filter_headers`), cookies and organisation/project headers from the answers too, and each
file is checked afterwards: a file that still holds a key is deleted and the run fails. The base
URLs (`STRATUS_<PROVIDER>_BASE_URL`) point the recording at any compatible upstream.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import vcr
from litestar.testing import TestClient

from conformance._redact import SECRET_HEADERS
from reference_server._app import create_app
from reference_server._settings import PROVIDERS, Settings

__all__ = ["FILTER_HEADERS", "SCENARIOS", "record"]

FILTER_HEADERS = sorted(SECRET_HEADERS)
"""Request headers never written to a cassette: every header the conformance redactor treats as secret."""

_DROP_RESPONSE = (
    "set-cookie",
    "openai-organization",
    "openai-project",
    "anthropic-organization-id",
    "cf-ray",
)
_STRATUS_KEY = "stratus_sk_test_recorder0001"
_LLM = {
    "openai": "gpt-4o-mini",
    "anthropic": "claude-haiku-4-5",
    "google": "gemini-2.5-flash",
    "openrouter": "meta-llama/llama-3.3-70b-instruct",
}
_TOOLS = [
    {
        "name": "get_weather",
        "description": "Get the current weather for a city",
        "input_schema": {
            "type": "object",
            "properties": {"location": {"type": "string", "description": "City name"}},
            "required": ["location"],
        },
    }
]


def _chat(llm: str, stream: bool) -> tuple[str, dict[str, Any]]:
    body: dict[str, Any] = {
        "model": f"stratus-x1ac-small-{llm}",
        "max_tokens": 64,
        "messages": [
            {"role": "system", "content": "Current page: Google homepage with search box visible."},
            {"role": "user", "content": "Find hotels in NYC for December 15-18"},
        ],
    }
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return "/v1/chat/completions", body


def _messages(llm: str, stream: bool) -> tuple[str, dict[str, Any]]:
    body: dict[str, Any] = {
        "model": f"stratus-x1ac-small-{llm}",
        "max_tokens": 128,
        "messages": [{"role": "user", "content": "What is the weather in Paris right now?"}],
        "tools": _TOOLS,
    }
    if stream:
        body["stream"] = True
    return "/v1/messages", body


SCENARIOS: dict[str, Callable[[str], tuple[str, dict[str, Any]]]] = {
    "chat": lambda llm: _chat(llm, False),
    "chat-stream": lambda llm: _chat(llm, True),
    "messages-tools": lambda llm: _messages(llm, False),
    "messages-tools-stream": lambda llm: _messages(llm, True),
}
"""Scenario name -> (path, body) for a provider model id."""


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers") or {}
    for name in list(headers):
        if name.lower() in _DROP_RESPONSE:
            del headers[name]
    return response


def record(out: Path, settings: Settings, providers: list[str] | None = None) -> list[Path]:
    """Record every scenario for each provider with a key; return the cassettes written."""
    settings = msgspec.structs.replace(settings, executor="upstream", keys_file=None, api_keys=())
    chosen = [p for p in providers or PROVIDERS if settings.provider_key(p)]
    if not chosen:
        raise SystemExit("no provider key: set STRATUS_<PROVIDER>_API_KEY for at least one provider")
    secrets = [k for k in (settings.provider_key(p) for p in PROVIDERS) if k]
    recorder = vcr.VCR(
        record_mode="all",
        filter_headers=FILTER_HEADERS,
        before_record_response=_scrub_response,
        decode_compressed_response=True,
        match_on=["method", "scheme", "host", "port", "path"],
    )
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    with TestClient(create_app(settings)) as client:
        client.headers["authorization"] = f"Bearer {_STRATUS_KEY}"
        for provider in chosen:
            for scenario, build in SCENARIOS.items():
                path, body = build(_LLM[provider])
                cassette = out / f"{provider}-{scenario}.yaml"
                cassette.unlink(missing_ok=True)
                with recorder.use_cassette(str(cassette)):
                    response = client.post(path, json=body)
                print(f"{cassette.name}: {path} -> {response.status_code}", file=sys.stderr)
                if not cassette.exists():
                    continue
                text = cassette.read_text()
                if any(secret in text for secret in secrets):
                    cassette.unlink()
                    raise SystemExit(f"{cassette}: a provider key survived filtering; the file was deleted")
                header = (
                    f"# RECORDED from {provider} ({settings.provider_base_url(provider)}) on {stamp} by\n"
                    f"# `python -m tests.tools.record_providers`; key headers filtered, scenario {scenario}.\n"
                )
                cassette.write_text(header + text)
                written.append(cassette)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.tools.record_providers", description=__doc__)
    parser.add_argument("--out", required=True, type=Path, help="folder for the cassettes")
    parser.add_argument("--provider", action="append", choices=PROVIDERS, help="only these (repeatable)")
    args = parser.parse_args(argv)
    written = record(args.out, Settings.from_env(), args.provider)
    print(f"{len(written)} cassettes written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
