"""The engine: one path from options to a typed ``Report``.

``execute(options)`` starts the target (the reference server when no base URL is given), sends one
preflight request, runs the selected cases in order and returns a ``_report.Report``; an interrupt
(Ctrl-C, or SIGTERM raised as ``Interrupted`` by the CLI) ends the loop and the report is returned
marked incomplete. The CLI calls it directly; the pytest plugin drives the same ``Run`` one case per
item. ``run_case`` is the single place a case's outcome becomes a verdict.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shlex
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import httpx

from conformance._case import PROFILES, Case, CaseFailed, CaseSkipped, CaseUnavailable, JsonPath, Verdict
from conformance._context import DEFAULT_MODEL, Context, Exchange, Target
from conformance._expect import describe, excerpt
from conformance._recording import cassette
from conformance._redact import redact_body, redact_headers, redact_text, redact_url
from conformance._report import (
    CaseResult,
    ExchangeRecord,
    Highlight,
    Preflight,
    ProfileResult,
    Report,
    RequestRecord,
    ResponseRecord,
    Selection,
    TargetInfo,
    Tool,
    count,
    exit_status,
    outcome_of,
    profile_verdict,
    run_verdict,
)
from conformance._selection import select
from conformance._server import reference_server

__all__ = [
    "DEFAULT_KEY",
    "Interrupted",
    "Observer",
    "Result",
    "Run",
    "RunOptions",
    "execute",
    "rerun_command",
    "run_case",
]

DEFAULT_KEY = "stratus_sk_test_conformance0000"
REPLAY_BASE = "http://replay.stratus-conformance.invalid"
MAX_BODY = 32_768
"""Characters of a body kept as evidence (the size of the whole body is recorded too)."""


class Interrupted(BaseException):
    """Raised (by the CLI's SIGTERM handler) to stop a run the way Ctrl-C does."""

    def __init__(self, signal_name: str = "SIGTERM") -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


@dataclass
class RunOptions:
    base_url: str | None = None
    """Target root URL (no ``/v1``); None starts the reference server on a loopback port."""
    api_key: str = DEFAULT_KEY
    model: str = DEFAULT_MODEL
    selection: Selection = field(default_factory=Selection)
    strict: bool = False
    record: Path | None = None
    replay: Path | None = None
    fuzz: int = 0
    label: str = ""
    install_node: bool = False
    """Install Node 22 and the Node runner's packages when a Node client case needs them (D-CONF-8)."""

    @property
    def mode(self) -> str:
        return "replay" if self.replay else "record" if self.record else "live"


@dataclass
class Result:
    """One case's verdict with the exchanges it judged (the engine's working form of a ``CaseResult``)."""

    case: Case
    verdict: Verdict
    message: str = ""
    duration: float = 0.0
    exchanges: list[Exchange] = field(default_factory=list)
    at: JsonPath | None = None
    event: int | None = None


def rerun_command(case: Case, options: RunOptions) -> str:
    """One line that reruns ``case`` alone and reproduces its verdict (SHOULD cases run --strict)."""
    parts = ["stratus-conformance", "run", "--case", case.id]
    if options.base_url:
        parts += ["--base-url", options.base_url]
    if options.model != DEFAULT_MODEL:
        parts += ["--model", options.model]
    if options.replay:
        parts += ["--replay", str(options.replay)]
    if case.profile == "fuzz" and options.fuzz:
        parts += ["--fuzz", str(options.fuzz)]
    if options.install_node:
        parts.append("--install-node")
    if options.strict or str(case.level) == "SHOULD":
        parts.append("--strict")
    return shlex.join(parts)


@contextlib.contextmanager
def _maybe_cassette(case: Case, record_dir: Path | None, replay_dir: Path | None) -> Iterator[None]:
    directory = record_dir or replay_dir
    if directory is None:
        yield
        return
    with cassette(directory, case.id, record=record_dir is not None):
        yield


def run_case(
    case: Case, ctx: Context, *, record_dir: Path | None = None, replay_dir: Path | None = None
) -> Result:
    """Run one case and decide its verdict (the only place that turns outcomes into verdicts).

    A pass that judged no exchange is a failure: a check over a subject that never arrived proves
    nothing. ``KeyboardInterrupt`` and ``Interrupted`` propagate.
    """
    ctx.begin_case()
    start = time.perf_counter()
    verdict, message, at, event = Verdict.PASS, "", None, None
    try:
        if case.live_only and (record_dir is not None or replay_dir is not None):
            raise CaseSkipped(
                "live-streaming timing is not observable under --record/--replay (vcrpy buffers streams)"
            )
        with _maybe_cassette(case, record_dir, replay_dir):
            case.func(ctx)
    except CaseFailed as exc:
        verdict, message, at, event = Verdict.FAIL, str(exc), exc.at, exc.event
    except CaseSkipped as exc:
        verdict, message = Verdict.SKIPPED, str(exc)
    except CaseUnavailable as exc:
        verdict, message = Verdict.UNAVAILABLE, str(exc)
    except Exception as exc:
        if replay_dir is not None and type(exc).__name__ == "CannotOverwriteExistingCassetteException":
            verdict, message = Verdict.SKIPPED, f"no recorded exchange for this request in {replay_dir}"
        else:
            tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
            verdict, message = Verdict.FAIL, f"unexpected {redact_text(tb)}"
    finally:
        ctx.end_case()
    if verdict is Verdict.PASS and not ctx.exchanges:
        verdict, message = (
            Verdict.FAIL,
            "the case judged no exchange (nothing was received, so nothing was checked)",
        )
    if verdict is Verdict.PASS and ctx.notes:
        message = "\n".join(ctx.notes)  # what a passing case wants reported (the fuzz summary)
    return Result(
        case=case,
        verdict=verdict,
        message=message,
        duration=time.perf_counter() - start,
        exchanges=list(ctx.exchanges),
        at=at,
        event=event,
    )


class Observer(Protocol):
    """What a front end sees of a run while it happens (progress display, CI lines)."""

    def starting(self, target: str, cases: Sequence[Case]) -> None: ...

    def preflight(self, result: Preflight) -> None: ...

    def case_finished(self, result: Result, done: int, total: int) -> None: ...


class Run:
    """One conformance run: the target's lifecycle, the preflight, the cases and the report."""

    def __init__(self, options: RunOptions, cases: Sequence[Case] | None = None) -> None:
        self.options = options
        self.cases = list(cases) if cases is not None else select(options.selection)
        self.results: list[Result] = []
        self.preflight_result = Preflight(status="skipped", message="not run")
        self.preflight_exchange: Exchange | None = None
        self.started = dt.datetime.now(dt.UTC)
        self._t0 = time.perf_counter()
        self._stack = contextlib.ExitStack()
        self._ctx: Context | None = None

    @property
    def context(self) -> Context:
        """The shared context; the first use starts the reference server when no base URL is given."""
        if self._ctx is None:
            o = self.options
            base = o.base_url
            if o.replay is not None:
                base = base or REPLAY_BASE
            elif base is None:
                base = self._stack.enter_context(reference_server())
            target = Target(
                base_url=base.rstrip("/"),
                api_key=o.api_key,
                model=o.model,
                replaying=o.replay is not None,
                recording=o.record is not None,
            )
            self._ctx = Context(target, options={"fuzz": o.fuzz, "install_node": o.install_node})
            self._stack.callback(self._ctx.close)
        return self._ctx

    def preflight(self) -> Preflight:
        """``GET /v1/models`` with the key: reachable? key accepted? (skipped under --replay)."""
        if self.options.replay is not None:
            self.preflight_result = Preflight(status="skipped", message="--replay: no network")
            return self.preflight_result
        ctx = self.context
        base = ctx.target.base_url
        start = time.perf_counter()
        try:
            resp = ctx.client.get("/v1/models", headers=ctx.auth_headers(), timeout=15.0)
        except httpx.HTTPError as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            self.preflight_result = Preflight(status="unreachable", message=f"cannot reach {base}: {reason}")
            return self.preflight_result
        ex = Exchange(
            method="GET",
            url=str(resp.request.url),
            request_headers=dict(resp.request.headers),
            request_body=None,
            status=resp.status_code,
            headers=resp.headers,
            body=resp.content,
            elapsed=time.perf_counter() - start,
        )
        self.preflight_exchange = ex
        if resp.status_code in (401, 403):
            self.preflight_result = Preflight(
                status="key-refused",
                message=f"{base} refused the key: GET /v1/models answered {describe(ex)}: {_error_text(ex)}",
            )
        else:
            self.preflight_result = Preflight(
                status="ok", message=f"GET /v1/models answered {describe(ex)} in {ex.elapsed * 1000:.0f} ms"
            )
        return self.preflight_result

    def run(self, case: Case) -> Result:
        o = self.options
        result = run_case(case, self.context, record_dir=o.record, replay_dir=o.replay)
        self.results.append(result)
        return result

    def report(self, *, interrupted: str | None = None) -> Report:
        return _build_report(self, interrupted)

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def execute(
    options: RunOptions, cases: Sequence[Case] | None = None, observer: Observer | None = None
) -> Report:
    """Run the selected cases against the target and return the typed report (never raises for an
    interrupt: the report comes back with ``complete`` false)."""
    run = Run(options, cases)
    interrupted: str | None = None
    try:
        if observer:
            shown = redact_url(options.base_url) if options.base_url else ""
            observer.starting(shown or (f"replay of {options.replay}" if options.replay else ""), run.cases)
        pre = run.preflight()
        if observer:
            observer.preflight(pre)
        if pre.status in ("ok", "skipped"):
            for i, c in enumerate(run.cases):
                r = run.run(c)
                if observer:
                    observer.case_finished(r, i + 1, len(run.cases))
    except KeyboardInterrupt:
        interrupted = "SIGINT"
    except Interrupted as exc:
        interrupted = exc.signal_name
    finally:
        with contextlib.suppress(KeyboardInterrupt, Interrupted):
            run.close()
    return run.report(interrupted=interrupted)


# -- report building ---------------------------------------------------------------------------------
def _error_text(ex: Exchange) -> str:
    """The message of an error envelope (either dialect), else the start of the body."""
    try:
        body = json.loads(ex.body)
    except ValueError:
        return excerpt(ex.body) or "(empty body)"
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        parts = [str(err[k]) for k in ("type", "code") if err.get(k)]
        return redact_text(
            " / ".join(dict.fromkeys(parts)) + (f": {err['message']}" if err.get("message") else "")
        )
    return excerpt(ex.body)


def _version() -> str:
    try:
        return metadata.version("stratus-conformance")
    except metadata.PackageNotFoundError:
        return "0+unknown"


class _Exchanges:
    """Exchanges kept once per run (a cached answer judged by 20 cases is stored once)."""

    def __init__(self) -> None:
        self.records: list[ExchangeRecord] = []
        self._ids: dict[int, int] = {}

    def add(self, ex: Exchange) -> int:
        key = id(ex)
        if key not in self._ids:
            self._ids[key] = len(self.records)
            self.records.append(_record(ex, self._ids[key]))
        return self._ids[key]


def _text(body: bytes | None) -> tuple[str, bool]:
    text = redact_body(body) if body else ""
    return (text[:MAX_BODY], True) if len(text) > MAX_BODY else (text, False)


def _record(ex: Exchange, ident: int) -> ExchangeRecord:
    req_body, _ = _text(ex.request_body)
    body, cut = _text(ex.body)
    return ExchangeRecord(
        id=ident,
        request=RequestRecord(
            method=ex.method,
            url=redact_url(ex.url),
            headers=redact_headers(ex.request_headers),
            body=req_body,
            body_bytes=len(ex.request_body or b""),
        ),
        response=ResponseRecord(
            status=ex.status,
            headers=redact_headers(dict(ex.headers)),
            body=body,
            body_bytes=len(ex.body),
            truncated=cut,
        ),
        elapsed_s=round(max(ex.elapsed, 0.0), 4),
    )


def _case_result(r: Result | None, c: Case, options: RunOptions, store: _Exchanges) -> CaseResult:
    verdict: Any = str(r.verdict) if r else "not-run"
    ids = [store.add(ex) for ex in r.exchanges] if r else []
    highlight = None
    if r is not None and r.verdict is Verdict.FAIL and ids:
        highlight = Highlight(exchange=ids[-1], path=list(r.at or ()), event=r.event)
    return CaseResult(
        id=c.id,
        level=str(c.level),  # type: ignore[arg-type]
        profile=c.profile,
        title=c.title,
        sends=c.sends,
        needs=c.needs,
        requirement=c.requirement,
        sources=list(c.sources),
        verdict=verdict,
        outcome=outcome_of(verdict, str(c.level), options.strict),
        message=redact_text(r.message) if r else "not run: the run was interrupted first",
        duration_s=round(r.duration, 4) if r else 0.0,
        exchanges=ids,
        highlight=highlight,
        rerun=rerun_command(c, options),
    )


def _build_report(run: Run, interrupted: str | None) -> Report:
    o = run.options
    store = _Exchanges()
    pre = run.preflight_result
    if run.preflight_exchange is not None:
        pre = Preflight(status=pre.status, message=pre.message, exchange=store.add(run.preflight_exchange))
    done = {r.case.id: r for r in run.results}
    judged = pre.status in ("ok", "skipped")
    results = [_case_result(done.get(c.id), c, o, store) for c in run.cases] if judged else []
    profiles = []
    for name, description in PROFILES.items():
        rows = [x for x in results if x.profile == name]
        if rows:
            counts = count(x.outcome for x in rows)
            profiles.append(
                ProfileResult(
                    name=name,
                    description=description,
                    verdict=profile_verdict(counts),
                    counts=counts,
                    duration_s=round(sum(x.duration_s for x in rows), 3),
                )
            )
    summary = count(x.outcome for x in results)
    verdict = run_verdict(summary, pre.status, interrupted)
    base = run._ctx.target.base_url if run._ctx else (o.base_url or "")
    return Report(
        tool=Tool(version=_version()),
        label=o.label
        or (redact_url(o.base_url) if o.base_url else None)
        or ("replay of " + str(o.replay) if o.replay else "reference server"),
        target=TargetInfo(
            base_url=redact_url(base),
            model=o.model,
            reference_server=o.base_url is None and o.replay is None,
            mode=o.mode,  # type: ignore[arg-type]
        ),
        selection=o.selection,
        strict=o.strict,
        started_at=run.started.replace(microsecond=0),
        duration_s=round(time.perf_counter() - run._t0, 3),
        complete=interrupted is None and judged,
        interrupted=interrupted,  # type: ignore[arg-type]
        verdict=verdict,
        exit_status=exit_status(verdict, interrupted),
        preflight=pre,
        summary=summary,
        profiles=profiles,
        results=results,
        exchanges=store.records,
    )
