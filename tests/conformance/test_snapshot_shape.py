"""Shape mode: passes a server whose text differs on every call while the contract holds, fails one
that drops a `stratus` field or breaks the event grammar; the grammar and contract pieces alone."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance._server import serve_asgi
from conformance._shape import Grammar, _value_paths, contract_components, grammar, stratus_problems
from conformance._snapshot import SnapshotOptions, SnapshotReport, run_snapshots
from reference_server import create_app
from tests.conformance.snapshot_targets import drop_stratus_field, varying


def snap(base_url: str, snapshots: Path, **kw: object) -> SnapshotReport:
    return run_snapshots(SnapshotOptions(base_url=base_url, snapshots=snapshots, **kw))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def recorded(reference_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Exact snapshots of the whole corpus, taken from the clean reference server."""
    path = tmp_path_factory.mktemp("snapshots")
    report = snap(reference_url, path, update=True)
    assert report.counts.written == report.counts.total >= 140
    return path


@pytest.fixture
def snapshots(recorded: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "snapshots"
    shutil.copytree(recorded, copy)
    return copy


@pytest.fixture(scope="module")
def varying_url() -> Iterator[str]:
    with serve_asgi(varying(create_app())) as base:
        yield base


def test_shape_passes_a_server_whose_text_varies_on_every_call(varying_url: str, snapshots: Path) -> None:
    shape = snap(varying_url, snapshots, mode="shape")
    problems = [
        (r.id, [d.text() for d in r.differences][:3]) for r in shape.results if r.status != "unchanged"
    ]
    assert problems == []
    assert (shape.verdict, int(shape.exit_status)) == ("pass", 0)
    again = snap(varying_url, snapshots, mode="shape")
    assert again.verdict == "pass", "a second call with other text still passes"
    exact = snap(varying_url, snapshots, only=("chat-plain", "messages-stream", "chat-stream"))
    assert exact.verdict == "fail", "the text did vary: exact mode sees it"
    changed = {d.path for r in exact.results for d in r.differences}
    assert "body.choices.0.message.content" in changed
    assert any(p.startswith("events.") for p in changed)


def test_shape_fails_a_server_that_drops_a_stratus_field(snapshots: Path) -> None:
    with serve_asgi(drop_stratus_field("brain_signal")(create_app())) as base:
        report = snap(base, snapshots, mode="shape", only=("chat-plain", "messages-plain", "messages-stream"))
    assert report.verdict == "fail"
    by_id = {r.id: r for r in report.results}
    for rid in ("chat-plain", "messages-plain"):
        assert by_id[rid].status == "changed"
        assert any(
            d.path == "body.stratus.brain_signal" and d.kind == "removed" for d in by_id[rid].differences
        ), by_id[rid].differences
    stream = by_id["messages-stream"]
    assert any(d.path.endswith("message.stratus.brain_signal") for d in stream.differences), (
        stream.differences
    )
    with serve_asgi(drop_stratus_field("steps_to_goal")(create_app())) as base:
        report = snap(base, snapshots, mode="shape", only=("chat-plain",))
    kinds = {(d.path, d.kind) for d in report.results[0].differences}
    assert ("body.stratus.steps_to_goal", "removed") in kinds
    assert ("body.stratus", "invariant") in kinds, "D-STR-3: steps_to_goal must equal the plan length"


@pytest.mark.parametrize(
    ("variant", "request_id", "lost"),
    [
        ("block-stop-dropped", "messages-stream", "content_block_stop"),
        ("message-delta-dropped", "messages-stream", "message_delta+stratus"),
        ("no-done", "chat-stream", "[DONE]"),
        ("stratus-not-on-first-chunk", "chat-stream", "chunk+stratus chunk+"),
    ],
)
def test_shape_fails_a_server_that_breaks_the_event_grammar(
    reference_url: str, snapshots: Path, variant: str, request_id: str, lost: str
) -> None:
    report = snap(f"{reference_url}/__v/{variant}", snapshots, mode="shape", only=(request_id,))
    result = next(r for r in report.results if r.id == request_id)
    assert result.status == "changed", result
    grammar_diff = next(d for d in result.differences if d.kind == "grammar")
    assert grammar_diff.path == "events"
    assert lost in grammar_diff.before
    assert f"[-{lost.split()[0]}-]" in grammar_diff.after, grammar_diff.after
    assert "[-" in grammar_diff.text()


def test_a_request_file_picks_its_own_mode(varying_url: str, recorded: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    source = Path(__file__).resolve().parents[2] / "fixtures" / "requests"
    for name, mode in (("chat-plain", "shape"), ("messages-plain", None)):
        text = (source / f"{name}.json").read_text()
        if mode:
            text = text.replace('"method": "POST",', f'"mode": "{mode}",\n  "method": "POST",', 1)
        (corpus / f"{name}.json").write_text(text)
        shutil.copy(recorded / f"{name}.json", tmp_path / f"{name}.json")
    report = snap(varying_url, tmp_path, corpus=corpus)
    by_id = {r.id: r for r in report.results}
    assert (by_id["chat-plain"].mode, by_id["chat-plain"].status) == ("shape", "unchanged")
    assert (by_id["messages-plain"].mode, by_id["messages-plain"].status) == ("exact", "changed")


# -- the pieces ----------------------------------------------------------------------------------------
def _chunk(
    delta: dict[str, object], finish: str | None = None, index: int = 0, **extra: object
) -> dict[str, object]:
    choice = {"index": index, "delta": delta, "finish_reason": finish, "logprobs": None}
    return {"event": None, "data": {"object": "chat.completion.chunk", "choices": [choice], **extra}}


def test_grammar_collapses_deltas_and_follows_each_choice() -> None:
    stream = [
        _chunk({"role": "assistant", "content": ""}, stratus={}),
        *[_chunk({"content": "x"}) for _ in range(5)],
        _chunk({}, "stop", stratus={}),
        {"event": None, "data": "[DONE]"},
    ]
    g = grammar(stream, anthropic=False)
    assert g.text() == "chunk+stratus chunk+ chunk+stratus [DONE]; choice 0: role content+ finish=stop"
    shorter = grammar([*stream[:2], *stream[-2:]], anthropic=False)
    assert shorter == g, "one delta or five: the same grammar"
    two = [
        _chunk({"role": "assistant"}, index=0),
        _chunk({"role": "assistant"}, index=1),
        _chunk({"content": "a"}, index=1),
        _chunk({"content": "b"}, index=0),
        _chunk({}, "stop", index=0),
        _chunk({}, "length", index=1),
    ]
    assert grammar(two, anthropic=False).choices == (
        (0, ("role", "content+", "finish=stop")),
        (1, ("role", "content+", "finish=length")),
    )


def test_grammar_of_anthropic_events_drops_pings_and_names_block_types() -> None:
    def ev(kind: str, **data: object) -> dict[str, object]:
        return {"event": kind, "data": {"type": kind, **data}}

    stream = [
        ev("message_start", message={"stratus": {}}),
        ev("content_block_start", content_block={"type": "text"}),
        ev("ping"),
        ev("content_block_delta", delta={"type": "text_delta"}),
        ev("content_block_delta", delta={"type": "text_delta"}),
        ev("content_block_stop"),
        ev("message_delta", stratus={}),
        ev("message_stop"),
    ]
    g = grammar(stream, anthropic=True)
    assert g.frame == (
        "message_start+stratus",
        "content_block_start:text",
        "content_block_delta:text_delta+",
        "content_block_stop",
        "message_delta+stratus",
        "message_stop",
    )
    doubled = grammar([stream[0], *stream], anthropic=True)
    assert doubled != g, "a second message_start is not a repeatable delta"
    assert isinstance(g, Grammar)


def test_the_contract_says_which_schema_and_which_values_are_fixed() -> None:
    assert contract_components("POST", "/v1/chat/completions", 200, False) == ("ChatCompletionResponse", None)
    assert contract_components("POST", "/v1/chat/completions", 200, True) == (None, "ChatCompletionChunk")
    assert contract_components("POST", "/v1/messages?beta=true", 429, False) == (
        "AnthropicErrorResponse",
        None,
    )
    assert contract_components("GET", "/v1/models/stratus-x1ac-base", 200, False) == ("Model", None)
    assert contract_components("POST", "/v1/completions", 404, False) == (None, None)
    fixed = _value_paths("ChatCompletionResponse")
    assert ("choices", "#", "finish_reason") in fixed
    assert ("object",) in fixed
    assert ("choices", "#", "message", "content") not in fixed


def test_stratus_invariants() -> None:
    good = {
        "action_sequence": ["type", "press_enter", "click"],
        "predicted_state_changes": [1.0, 2.0, 3.0],
        "confidence_labels": ["Low", "Low", "High"],
        "steps_to_goal": 3,
        "brain_signal": {"action_type": "type", "plan_ahead": ["press_enter", "click"]},
        "overall_confidence": 0.9,
        "confidence": 0.9,
    }
    assert stratus_problems(good) == []
    bad = {
        **good,
        "steps_to_goal": 2,
        "brain_signal": {"action_type": "click", "plan_ahead": []},
        "confidence": 0.5,
    }
    problems = " ".join(stratus_problems(bad))
    for word in ("steps_to_goal=2", "action_type", "plan_ahead", "confidence=0.5"):
        assert word in problems
