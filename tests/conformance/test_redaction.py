"""Every provider key shape the upstream executor knows is scrubbed from headers, bodies and URLs, in
cassettes, reports and snapshots (issue 11: the redactor missed `AIza…` and `x-goog-api-key`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance._case import Verdict, all_cases
from conformance._engine import Result, Run, RunOptions
from conformance._html import write_html
from conformance._recording import cassette
from conformance._redact import KEY_PATTERN, redact_body, redact_headers, redact_text, redact_url
from conformance._report import encode_report
from reference_server import Settings, create_app
from tests.server._serve import serve

ROOT = Path(__file__).resolve().parents[2]
PLANTED = {
    "stratus": "stratus_sk_live_PlantedStratusKey0001",
    "openai": "sk-PlantedOpenAIKey000000000000000000000000",
    "openai-project": "sk-proj-PlantedProjectKey0000000000000000000",
    "anthropic": "sk-ant-api03-PlantedAnthropicKey000000000000000",
    "openrouter": "sk-or-v1-PlantedOpenRouterKey00000000000000000",
    "google": "AIzaSyPlantedGoogleKey0000000000000000",
}
SECRET_PARTS = [v.split("Planted", 1)[1] for v in PLANTED.values()]


def _leaks(text: str) -> list[str]:
    return [part for part in SECRET_PARTS if part in text]


@pytest.mark.parametrize("name", list(PLANTED))
def test_each_key_shape_is_redacted_in_text_headers_bodies_and_urls(name: str) -> None:
    key = PLANTED[name]
    assert not _leaks(redact_text(f"oops: {key}, again ({key})"))
    assert redact_text(key).endswith("REDACTED")
    assert redact_headers({"x-goog-api-key": key, "X-Debug": f"sent {key}"}) == {
        "x-goog-api-key": "REDACTED",
        "X-Debug": "sent " + redact_text(key),
    }
    body = json.dumps({"openai_key": key, "messages": [{"role": "user", "content": f"my key is {key}"}]})
    assert not _leaks(redact_body(body))
    assert not _leaks(redact_body(f"not json {key}".encode()))
    for url in (f"https://x.test/v1/models?key={key}", f"https://x.test/v1/models?api_key={key}&limit=2"):
        redacted = redact_url(url)
        assert not _leaks(redacted)
        assert "REDACTED" in redacted
    assert not _leaks(redact_url(f"https://x.test/keys/{key}/info"))


def test_class_prefixes_stay_readable() -> None:
    assert redact_text(PLANTED["anthropic"]) == "sk-ant-REDACTED"
    assert redact_text(PLANTED["google"]) == "AIzaREDACTED"
    assert redact_text(PLANTED["stratus"]) == "stratus_sk_live_REDACTED"
    assert redact_text("a sketch of sk-") == "a sketch of sk-"  # no false positive on short words
    assert redact_url("https://x.test/v1/models?limit=2") == "https://x.test/v1/models?limit=2"


def test_planted_keys_never_reach_cassettes_or_reports(tmp_path: Path) -> None:
    case = next(iter(all_cases()))
    with serve(create_app(Settings())) as base_url:
        run = Run(RunOptions(base_url=base_url, api_key=PLANTED["stratus"]), cases=[case])
        try:
            ctx = run.context
            with cassette(tmp_path / "cassettes", "planted.keys", record=True):
                chat = {
                    "model": "stratus-x1ac-small-gpt-4o",
                    "openai_key": PLANTED["openai-project"],
                    "gemini_key": PLANTED["google"],
                    "messages": [
                        {
                            "role": "user",
                            "content": f"Find hotels; my OpenRouter key is {PLANTED['openrouter']}",
                        }
                    ],
                }
                byok = {
                    "X-OpenAI-Key": PLANTED["openai"],
                    "X-Anthropic-Key": PLANTED["anthropic"],
                    "X-Google-Key": PLANTED["google"],
                    "X-OpenRouter-Key": PLANTED["openrouter"],
                    "x-goog-api-key": PLANTED["google"],
                    "X-Debug-Note": f"key {PLANTED['openai']}",
                }
                answered = ctx.post("/v1/chat/completions", chat, headers=byok)
                assert answered.status == 200
                assert PLANTED["openrouter"] in answered.body.decode()  # the answer quotes the goal
                ctx.request("GET", f"/v1/models?limit=2&key={PLANTED['google']}")
                ctx.request("GET", "/v1/models", headers={"x-api-key": PLANTED["stratus"]}, auth=False)
            # the engine's report keeps every exchange a failed case judged, as evidence
            run.results.append(
                Result(case=case, verdict=Verdict.FAIL, message="planted", exchanges=list(ctx.exchanges))
            )
            report = run.report()
        finally:
            run.close()
    assert len(report.exchanges) == 3
    # a target URL that carries a key (a query-string key, as Google's API takes it)
    keyed = Run(RunOptions(base_url=f"{base_url}/?key={PLANTED['google']}", api_key=PLANTED["stratus"]), [])
    keyed_report = keyed.report()
    texts = {str(p): p.read_text() for p in (tmp_path / "cassettes").glob("*.yaml")}
    assert texts
    for name, each in (("report", report), ("keyed", keyed_report)):
        (tmp_path / f"{name}.json").write_bytes(encode_report(each))
        write_html(tmp_path / f"{name}.html", each)
        texts[f"{name}.json"] = (tmp_path / f"{name}.json").read_text()
        texts[f"{name}.html"] = (tmp_path / f"{name}.html").read_text()
    for where, text in texts.items():
        assert not _leaks(text), (where, _leaks(text))
    assert "REDACTED" in texts["report.json"]
    assert "key=REDACTED" in keyed_report.target.base_url
    assert "key=REDACTED" in keyed_report.label


@pytest.mark.parametrize("folder", ["tests/snapshots/__snapshots__", "fixtures/cassettes"])
def test_committed_snapshots_and_cassettes_hold_no_key(folder: str) -> None:
    found = []
    for path in (ROOT / folder).rglob("*"):
        if path.is_file() and path.suffix in (".ambr", ".yaml", ".yml", ".json"):
            text = path.read_text(errors="replace")
            found += [
                f"{path}: {m.group()[:24]}"
                for m in KEY_PATTERN.finditer(text)
                if not _redacted(text, m.end())
            ]
    assert found == []


def _redacted(text: str, end: int) -> bool:
    return text[end - len("REDACTED") : end] == "REDACTED"
