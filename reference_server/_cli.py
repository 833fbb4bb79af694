"""`stratus-reference serve`: run the reference server under uvicorn."""

from __future__ import annotations

import argparse
import os
import sys
from types import FrameType
from typing import Any

import uvicorn

from reference_server._settings import Settings
from reference_server._sse import SHUTDOWN

__all__ = ["main"]


class _Server(uvicorn.Server):
    """Tells open streams to finish (no more pacing) as soon as a shutdown signal arrives."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        SHUTDOWN.set()
        super().handle_exit(sig, frame)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stratus-reference", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the API (settings also from STRATUS_* variables)")
    serve.add_argument("--host", default=None, help="bind address (STRATUS_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (STRATUS_PORT, default 8000)")
    serve.add_argument(
        "--workers", type=int, default=None, help="worker processes (STRATUS_WORKERS, default 1)"
    )
    serve.add_argument("--keys-file", default=None, help="JSON key store (STRATUS_KEYS_FILE)")
    serve.add_argument("--log-level", default=None, help="uvicorn log level (STRATUS_LOG_LEVEL)")
    serve.add_argument(
        "--executor",
        choices=("embedded", "upstream"),
        default=None,
        help="embedded: offline deterministic answers (default); upstream: the real provider executes "
        "the plan-enriched prompt with BYOK or STRATUS_<PROVIDER>_API_KEY keys (STRATUS_EXECUTOR, D-EXEC-1)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings.from_env(
        host=args.host,
        port=args.port,
        workers=args.workers,
        keys_file=args.keys_file,
        log_level=args.log_level,
        executor=args.executor,
    )
    # the factory (and, with several workers, each worker process) re-reads STRATUS_*
    for name, value in (("HOST", settings.host), ("PORT", settings.port), ("EXECUTOR", settings.executor)):
        os.environ[f"STRATUS_{name}"] = str(value)
    if settings.keys_file:
        os.environ["STRATUS_KEYS_FILE"] = settings.keys_file
    options: dict[str, Any] = {
        "factory": True,
        "host": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "log_level": settings.log_level,
        "timeout_graceful_shutdown": int(settings.graceful_shutdown_s),
    }
    if settings.workers > 1:
        # uvicorn's supervisor starts a plain `uvicorn.Server` in each worker, so there a shutdown does
        # not stop stream pacing early: paced streams run on until the graceful-shutdown timeout.
        uvicorn.run("reference_server._factory:app", **options)
    else:
        _Server(uvicorn.Config("reference_server._factory:app", **options)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
