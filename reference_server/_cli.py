"""`stratus-reference serve`: run the reference server under uvicorn (rich-click, like the suite's CLI).

Exit codes: 0 after a clean stop (SIGTERM), 130 after Ctrl-C (no traceback either way), 2 for a usage
error, including a key file that cannot be used and limits that cannot hold with several workers.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import Any

import rich_click as click
import uvicorn
from click import exceptions as click_exceptions
from uvicorn.supervisors import multiprocess

from reference_server import __version__
from reference_server._connections import GuardedH11Protocol, protocol_for
from reference_server._settings import Settings
from reference_server._sse import SHUTDOWN
from reference_server._store import KeyFileError, load_key_records

__all__ = ["main"]

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
_APP = "reference_server._factory:app"


class _Server(uvicorn.Server):
    """Tells open streams to finish (no more pacing) as soon as a shutdown signal arrives, and stops
    without re-raising the signal (uvicorn re-raises it, which printed a KeyboardInterrupt traceback).
    Used in the single process and in every worker."""

    interrupted = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        SHUTDOWN.set(self.config.timeout_graceful_shutdown)
        self.interrupted = self.interrupted or sig == signal.SIGINT
        super().handle_exit(sig, frame)

    def run(self, sockets: Any = None) -> None:
        try:
            super().run(sockets=sockets)
        except KeyboardInterrupt:
            self.interrupted = True


class _WorkerProcess(multiprocess.Process):
    """A uvicorn worker that runs `_Server` (uvicorn's own runs a plain `uvicorn.Server`, so a
    shutdown did not end paced streams: they ran into the grace timeout and were cut, with
    tracebacks)."""

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = _Server(config=self.config)
        return self._server


class _Supervisor(multiprocess.Multiprocess):
    interrupted = False

    def handle_int(self) -> None:
        self.interrupted = True
        super().handle_int()


class _Usage(Exception):
    """A usage problem: printed as one line, exit code 2."""


def _check(settings: Settings) -> None:
    try:
        records = load_key_records(settings)
    except KeyFileError as exc:
        raise _Usage(str(exc)) from None
    store = settings.store.strip()
    if store not in ("", "memory") and not store.startswith(("redis://", "rediss://", "unix://")):
        raise _Usage(f"--store {store!r}: expected 'memory' or a redis:// URL")
    limited = [r for r in records if r.credits is not None or r.rate_limit_per_minute is not None]
    if settings.workers > 1 and store in ("", "memory") and limited:
        raise _Usage(
            f"--workers {settings.workers} with credits or rate limits in the key file needs a shared "
            "store: pass --store redis://HOST:6379/0 (STRATUS_STORE). In memory each worker would "
            "admit the whole budget."
        )


def _export(settings: Settings) -> None:
    """The factory (and each worker process) re-reads STRATUS_*: pass the flags on."""
    values = {
        "HOST": settings.host,
        "PORT": settings.port,
        "EXECUTOR": settings.executor,
        "STORE": settings.store,
        "HEADER_TIMEOUT_S": settings.header_timeout_s,
        "BODY_TIMEOUT_S": settings.body_timeout_s,
        "KEEPALIVE_TIMEOUT_S": settings.keepalive_timeout_s,
        "MAX_CONNECTIONS": settings.max_connections,
    }
    for name, value in values.items():
        os.environ[f"STRATUS_{name}"] = str(value)
    if settings.keys_file:
        os.environ["STRATUS_KEYS_FILE"] = settings.keys_file


def _serve(settings: Settings) -> int:
    """Run until stopped; 130 after SIGINT (Ctrl-C), else 0."""
    multi = settings.workers > 1
    config = uvicorn.Config(
        _APP,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        timeout_graceful_shutdown=max(1, round(settings.graceful_shutdown_s)),
        timeout_keep_alive=max(1, round(settings.keepalive_timeout_s)),
        # workers are new processes: they import the class and read the limits from STRATUS_*
        http=GuardedH11Protocol if multi else protocol_for(settings),
    )
    if not multi:
        server = _Server(config)
        server.run()
        return EXIT_INTERRUPTED if server.interrupted else 0
    # uvicorn's supervisor builds its workers from the module's `Process`: have it build ours
    multiprocess.Process = _WorkerProcess  # type: ignore[misc]
    supervisor = _Supervisor(config, sockets=[config.bind_socket()])
    supervisor.run()
    return EXIT_INTERRUPTED if supervisor.interrupted else 0


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="stratus-reference")
def cli() -> None:
    """The Stratus X1 reference server: deterministic, offline, exact on the wire."""


@cli.command()
@click.option("--host", default=None, help="Bind address (STRATUS_HOST, default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (STRATUS_PORT, default 8000).")
@click.option(
    "--workers", type=click.IntRange(min=1), default=None, help="Worker processes (STRATUS_WORKERS)."
)
@click.option(
    "--keys-file", default=None, help="JSON key file: credits, rate limits, endpoints (STRATUS_KEYS_FILE)."
)
@click.option(
    "--store",
    default=None,
    help="Where rate limits and balances live: memory (default) or redis://HOST:6379/0, shared by "
    "every worker and replica (STRATUS_STORE).",
)
@click.option("--log-level", default=None, help="uvicorn log level (STRATUS_LOG_LEVEL).")
@click.option(
    "--executor",
    type=click.Choice(["embedded", "upstream"]),
    default=None,
    help="embedded: offline deterministic answers (default); upstream: the real provider executes the "
    "plan-enriched prompt with BYOK or STRATUS_<PROVIDER>_API_KEY keys (STRATUS_EXECUTOR, D-EXEC-1).",
)
def serve(**flags: Any) -> int:
    """Serve the API (every setting also from STRATUS_* variables; see the README)."""
    settings = Settings.from_env(**flags)
    _check(settings)
    _export(settings)
    return _serve(settings)


def main(argv: list[str] | None = None) -> int:
    try:
        code = cli.main(args=argv, prog_name="stratus-reference", standalone_mode=False)
    except _Usage as exc:
        print(f"stratus-reference: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except click_exceptions.Exit as exc:  # --help, --version
        return int(exc.exit_code or 0)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (KeyboardInterrupt, click_exceptions.Abort):
        return EXIT_INTERRUPTED
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
