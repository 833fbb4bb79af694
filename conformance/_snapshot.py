"""``stratus-conformance snapshot``: record the answers of any deployment and tell what changed.

``run_snapshots(SnapshotOptions)`` starts the target (the reference server when no base URL is
given), sends one preflight ``GET /v1/models``, then every selected corpus request (``jobs`` at a
time, each within its time limit), builds its snapshot document (``_snapshot_doc``), normalises it
(``_snapshot_rules``) and compares it with ``<snapshots>/<id>.json``: every value in ``exact`` mode
(``_snapshot_diff``), the shape and the contract in ``shape`` mode (``_shape``). With ``update`` a
new or changed snapshot is written instead. The typed ``SnapshotReport`` feeds the console, the
HTML page and the exit status.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shlex
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Literal, Protocol

import httpx
import msgspec

from conformance._corpus import CORPUS_KEY, CorpusError, CorpusRequest, Mode, load_corpus, missing_variables
from conformance._engine import Interrupted
from conformance._redact import redact_text
from conformance._report import ExitCode, Preflight, Tool
from conformance._server import reference_server
from conformance._shape import grammar_difference, shape_differences
from conformance._snapshot_diff import Difference, differences, text_diff
from conformance._snapshot_doc import TimedOut, build_document, dumps, fetch, loads
from conformance._snapshot_rules import Rules, load_rules, normalise

__all__ = [
    "SnapshotCounts",
    "SnapshotObserver",
    "SnapshotOptions",
    "SnapshotReport",
    "SnapshotResult",
    "SnapshotStatus",
    "prepare",
    "run_snapshots",
]

DEFAULT_SNAPSHOTS = Path("stratus-snapshots")
SnapshotStatus = Literal["unchanged", "changed", "new", "error", "written", "updated", "not-run"]
Verdict = Literal["pass", "fail", "incomplete", "unreachable", "key-refused"]


@dataclass
class SnapshotOptions:
    base_url: str | None = None
    """Target root URL (no ``/v1``); None starts the reference server on a loopback port."""
    api_key: str | None = None
    """Replaces the corpus key in every header that carries it (and is used for the preflight)."""
    corpus: Path | None = None
    """A directory of request files; None: the bundled ``fixtures/requests/``."""
    snapshots: Path = DEFAULT_SNAPSHOTS
    mode: Mode = "exact"
    """The default mode; a request file's ``mode`` wins over it."""
    update: bool = False
    rules: tuple[Path, ...] = ()
    only: tuple[str, ...] = ()
    """Request-id prefixes (none: the whole corpus; then unused snapshots are reported)."""
    timeout_s: float = 30.0
    jobs: int = 4
    label: str = ""
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))


class SnapshotResult(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    id: str
    description: str
    request: str
    """``METHOD path`` of the request."""
    mode: Mode
    status: SnapshotStatus
    message: str = ""
    differences: list[Difference] = []
    diff: list[str] = []
    """Exact mode: the unified diff of the stored file and the new one."""
    file: str
    elapsed_s: float = 0.0
    rerun: str = ""


class SnapshotCounts(msgspec.Struct, kw_only=True):
    total: int = 0
    unchanged: int = 0
    changed: int = 0
    new: int = 0
    error: int = 0
    written: int = 0
    updated: int = 0
    not_run: int = 0
    unused: int = 0
    removed: int = 0


class SnapshotReport(msgspec.Struct, kw_only=True):
    tool: Tool
    label: str
    base_url: str
    reference_server: bool
    corpus: str
    snapshots: str
    mode: Mode
    update: bool
    rules: list[str]
    started_at: dt.datetime
    duration_s: float
    complete: bool
    interrupted: Literal["SIGINT", "SIGTERM"] | None = None
    preflight: Preflight
    verdict: Verdict
    exit_status: ExitCode
    counts: SnapshotCounts
    results: list[SnapshotResult]
    unused: list[str]
    """Stored snapshots no request of the corpus uses (reported; removed by ``update``)."""
    removed: list[str]
    command: str
    """The command line of this run; ``update_command`` accepts its answers."""
    update_command: str


class SnapshotObserver(Protocol):
    def starting(self, target: str, total: int) -> None: ...

    def preflight(self, result: Preflight) -> None: ...

    def finished(self, result: SnapshotResult, done: int, total: int) -> None: ...


def prepare(options: SnapshotOptions) -> tuple[list[CorpusRequest], Rules]:
    """Load and check the corpus, the selection and the rules (``CorpusError``/``RulesError``)."""
    rules = load_rules(options.rules)
    requests = load_corpus(options.corpus)
    if options.only:
        unknown = [p for p in options.only if not any(r.id.startswith(p) for r in requests)]
        if unknown:
            raise CorpusError([f"--only {p}: no request id starts with it" for p in unknown])
        requests = [r for r in requests if r.id.startswith(tuple(options.only))]
    missing = missing_variables(requests, options.env)
    if missing:
        raise CorpusError(missing)
    return requests, rules


def _command(options: SnapshotOptions, *, update: bool, only: Sequence[str] = ()) -> str:
    parts = ["stratus-conformance", "snapshot"]
    if options.base_url:
        parts += ["--base-url", redact_text(options.base_url)]
    if options.corpus:
        parts += ["--corpus", str(options.corpus)]
    parts += ["--snapshots", str(options.snapshots)]
    if options.mode != "exact":
        parts += ["--mode", options.mode]
    for path in options.rules:
        parts += ["--rules", str(path)]
    for prefix in only or options.only:
        parts += ["--only", prefix]
    if update:
        parts.append("--update")
    return shlex.join(parts)


@dataclass
class _Judge:
    options: SnapshotOptions
    rules: Rules
    client: httpx.Client

    def result(
        self, req: CorpusRequest, status: SnapshotStatus, start: float, **kw: object
    ) -> SnapshotResult:
        mode = req.mode or self.options.mode
        return SnapshotResult(
            id=req.id,
            description=req.description,
            request=f"{req.method} {redact_text(req.path)}",
            mode=mode,
            status=status,
            file=str(self.options.snapshots / f"{req.id}.json"),
            elapsed_s=round(time.monotonic() - start, 4),
            rerun=_command(self.options, update=False, only=[req.id]),
            **kw,  # type: ignore[arg-type]
        )

    def __call__(self, req: CorpusRequest) -> SnapshotResult:
        start = time.monotonic()
        o = self.options
        timeout = req.timeout_s or o.timeout_s
        try:
            raw = fetch(self.client, req, req.send_headers(o.env, o.api_key), timeout)
        except TimedOut as exc:
            return self.result(req, "error", start, message=f"timed out: {exc}")
        except httpx.HTTPError as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            return self.result(req, "error", start, message=redact_text(f"no answer: {reason}"))
        raw_doc = build_document(req, raw, req.secrets(o.env, o.api_key))
        new = normalise(raw_doc, self.rules)
        path = o.snapshots / f"{req.id}.json"
        note = ""
        if req.expect_status is not None and raw.status != req.expect_status:
            note = f"answered HTTP {raw.status}; the request file expects {req.expect_status}"
            if o.update:
                return self.result(req, "error", start, message=note + ": snapshot not written")
        try:
            stored_text: str | None = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            stored_text = None
        if stored_text is None:
            if o.update:
                self._write(path, new)
                return self.result(req, "written", start, message=note)
            message = "no stored snapshot (write it with --update)"
            return self.result(req, "new", start, message=f"{message}; {note}" if note else message)
        diffs, diff_lines = self._compare(req, stored_text, new, raw_doc)
        if not diffs:
            return self.result(req, "unchanged", start, message=note)
        if o.update:
            self._write(path, new)
        summary = f"{len(diffs)} difference{'s' * (len(diffs) != 1)}: {diffs[0].text()}"
        return self.result(
            req,
            "updated" if o.update else "changed",
            start,
            message=f"{summary}; {note}" if note else summary,
            differences=diffs,
            diff=diff_lines,
        )

    def _compare(
        self, req: CorpusRequest, stored_text: str, new: dict[str, object], raw_doc: dict[str, object]
    ) -> tuple[list[Difference], list[str]]:
        new_text = dumps(new)
        try:
            stored = loads(stored_text)
        except ValueError as exc:
            broken = Difference(path="", kind="changed", before=f"the stored file is not a snapshot ({exc})")
            return [broken], text_diff(stored_text, new_text)
        if (req.mode or self.options.mode) == "shape":
            return shape_differences(stored, new, raw_doc, self.rules), []
        diffs = differences(stored, new)
        if not diffs:
            return [], []
        changed_grammar = grammar_difference(stored, new)
        return ([changed_grammar] if changed_grammar else []) + diffs, text_diff(dumps(stored), new_text)

    @staticmethod
    def _write(path: Path, document: dict[str, object]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps(document), encoding="utf-8")


def _preflight(client: httpx.Client, base: str, key: str) -> Preflight:
    start = time.perf_counter()
    try:
        resp = client.get("/v1/models", headers={"Authorization": f"Bearer {key}"}, timeout=15.0)
    except httpx.HTTPError as exc:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return Preflight(status="unreachable", message=redact_text(f"cannot reach {base}: {reason}"))
    answered = f"GET /v1/models answered HTTP {resp.status_code}"
    if resp.status_code in (401, 403):
        return Preflight(status="key-refused", message=redact_text(f"{base} refused the key: {answered}"))
    return Preflight(status="ok", message=f"{answered} in {(time.perf_counter() - start) * 1000:.0f} ms")


def _unused(options: SnapshotOptions, requests: Sequence[CorpusRequest]) -> list[str]:
    if options.only or not options.snapshots.is_dir():
        return []
    ids = {r.id for r in requests}
    return sorted(str(p) for p in options.snapshots.glob("*.json") if p.stem not in ids)


def _counts(
    results: Sequence[SnapshotResult], unused: Sequence[str], removed: Sequence[str]
) -> SnapshotCounts:
    c = SnapshotCounts(total=len(results), unused=len(unused), removed=len(removed))
    for r in results:
        name = r.status.replace("-", "_")
        setattr(c, name, getattr(c, name) + 1)
    return c


def _verdict(c: SnapshotCounts, preflight: str, interrupted: str | None, update: bool) -> Verdict:
    if preflight in ("unreachable", "key-refused"):
        return preflight  # type: ignore[return-value]
    if interrupted:
        return "incomplete"
    failed = c.error + (0 if update else c.changed + c.new)
    return "fail" if failed else "pass"


def _exit(verdict: Verdict, interrupted: str | None) -> ExitCode:
    if interrupted == "SIGTERM":
        return ExitCode.TERMINATED
    if interrupted:
        return ExitCode.INTERRUPTED
    return {
        "pass": ExitCode.OK,
        "fail": ExitCode.FAILED,
        "unreachable": ExitCode.UNREACHABLE,
        "key-refused": ExitCode.KEY_REFUSED,
        "incomplete": ExitCode.INTERRUPTED,
    }[verdict]


def _version() -> str:
    try:
        return metadata.version("stratus-conformance")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _judge_all(
    judge: _Judge,
    requests: Sequence[CorpusRequest],
    jobs: int,
    observer: SnapshotObserver | None,
    done: dict[str, SnapshotResult],
) -> None:
    """Every request through ``judge``, ``jobs`` at a time, into ``done``; an interrupt propagates
    after the requests not started are cancelled."""
    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="snapshot")
    pending: set[Future[SnapshotResult]] = {pool.submit(judge, r) for r in requests}
    try:
        while pending:
            finished, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in finished:
                result = fut.result()
                done[result.id] = result
                if observer:
                    observer.finished(result, len(done), len(requests))
    finally:
        pool.shutdown(wait=not pending, cancel_futures=True)


def run_snapshots(
    options: SnapshotOptions,
    prepared: tuple[list[CorpusRequest], Rules] | None = None,
    observer: SnapshotObserver | None = None,
) -> SnapshotReport:
    """Check (or with ``update`` write) the snapshots of every selected request; never raises for an
    interrupt (the report comes back incomplete). Corpus and rules problems raise before anything runs."""
    requests, rules = prepared or prepare(options)
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    pre = Preflight(status="skipped", message="not run")
    done: dict[str, SnapshotResult] = {}
    interrupted: Literal["SIGINT", "SIGTERM"] | None = None
    base = options.base_url or ""
    stack = contextlib.ExitStack()
    try:
        if observer:
            observer.starting(options.base_url or "", len(requests))
        base = (options.base_url or stack.enter_context(reference_server())).rstrip("/")
        client = stack.enter_context(httpx.Client(base_url=base, follow_redirects=False))
        pre = _preflight(client, base, options.api_key or CORPUS_KEY)
        if observer:
            observer.preflight(pre)
        if pre.status == "ok":
            _judge_all(_Judge(options, rules, client), requests, options.jobs, observer, done)
    except KeyboardInterrupt:
        interrupted = "SIGINT"
    except Interrupted as exc:
        interrupted = "SIGTERM" if exc.signal_name == "SIGTERM" else "SIGINT"
    finally:
        with contextlib.suppress(KeyboardInterrupt, Interrupted):
            stack.close()
    judged = pre.status == "ok"
    results = []
    for req in requests if judged else []:
        results.append(
            done.get(req.id)
            or SnapshotResult(
                id=req.id,
                description=req.description,
                request=f"{req.method} {redact_text(req.path)}",
                mode=req.mode or options.mode,
                status="not-run",
                message="not run: the run was interrupted first",
                file=str(options.snapshots / f"{req.id}.json"),
            )
        )
    unused = _unused(options, requests) if judged else []
    removed: list[str] = []
    if options.update and judged and not interrupted:
        for name in unused:
            Path(name).unlink(missing_ok=True)
        removed, unused = unused, []
    counts = _counts(results, unused, removed)
    verdict = _verdict(counts, pre.status, interrupted, options.update)
    return SnapshotReport(
        tool=Tool(version=_version()),
        label=options.label or options.base_url or "reference server",
        base_url=redact_text(base),
        reference_server=options.base_url is None,
        corpus=str(options.corpus or "fixtures/requests (bundled)"),
        snapshots=str(options.snapshots),
        mode=options.mode,
        update=options.update,
        rules=list(rules.files),
        started_at=started.replace(microsecond=0),
        duration_s=round(time.perf_counter() - t0, 3),
        complete=judged and interrupted is None,
        interrupted=interrupted,
        preflight=pre,
        verdict=verdict,
        exit_status=_exit(verdict, interrupted),
        counts=counts,
        results=results,
        unused=unused,
        removed=removed,
        command=_command(options, update=options.update),
        update_command=_command(options, update=True),
    )
