"""The Python runner: runs checks in this interpreter and prints one JSON line per check.

    python conformance/clients/run.py --check openai.stream --base-url URL [--api-key KEY]
    python conformance/clients/run.py --venv sdk --base-url URL        # every check of one venv
    python conformance/clients/run.py --list

The key may come from STRATUS_API_KEY instead of argv. Exit status: 0 when every check passed,
1 when one did not, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import checks as _checks
from ._http_log import HttpLog
from ._registry import CHECKS, run_check
from ._target import Target

__all__ = ["main"]

del _checks


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="run.py", description="Run real-client checks (Python).")
    pick = parser.add_mutually_exclusive_group(required=True)
    pick.add_argument("--check", action="append", help="a check id (repeatable)")
    pick.add_argument("--venv", help="every check that runs in this client venv")
    pick.add_argument("--all", action="store_true", help="every check")
    pick.add_argument("--list", action="store_true", help="print the checks as JSON lines and exit")
    parser.add_argument("--base-url", help="deployment base URL, without /v1 (or STRATUS_BASE_URL)")
    parser.add_argument("--api-key", help="API key (or STRATUS_API_KEY)")
    parser.add_argument("--wrong-key", help="the key the auth-error checks send")
    parser.add_argument("--openai-model")
    parser.add_argument("--anthropic-model")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per check")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.list:
        for spec in CHECKS.values():
            print(json.dumps({"check": spec.id, "venv": spec.venv, "what": spec.what}))
        return 0
    if args.check:
        unknown = [c for c in args.check if c not in CHECKS]
        if unknown:
            print(f"unknown check id(s): {', '.join(unknown)}", file=sys.stderr)
            return 2
        selected = [CHECKS[c] for c in args.check]
    else:
        selected = [s for s in CHECKS.values() if args.all or s.venv == args.venv]
    try:
        target = Target.from_options(
            args.base_url,
            args.api_key,
            openai_model=args.openai_model,
            anthropic_model=args.anthropic_model,
            wrong_key=args.wrong_key,
            timeout_s=args.timeout,
        )
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    log = HttpLog()
    failed = False
    for spec in selected:
        result = run_check(spec, target, log)
        failed |= result.status != "pass"
        print(result.to_line(), flush=True)
    return 1 if failed else 0
