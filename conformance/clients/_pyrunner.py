"""The Python runner: runs checks in this interpreter and prints one JSON line per check.

    python conformance/clients/run.py --check openai.stream --base-url URL [--api-key KEY]
    python conformance/clients/run.py --venv sdk --base-url URL        # every check of one venv
    python conformance/clients/run.py --list
    python conformance/clients/run.py --check openai.stream --base-url URL --exchanges   # with evidence
    python conformance/clients/run.py --serve --base-url URL --exchanges   # check ids on stdin

The key may come from STRATUS_API_KEY instead of argv. `--serve` reads one check id per line from
stdin and answers each with its result line, until stdin closes (a conformance run keeps one runner
per venv, so the client is imported once). Exit status: 0 when every check passed, 1 when one did
not, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import checks as _checks
from ._http_log import HttpLog
from ._registry import CHECKS, run_check
from ._result import CheckResult
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
    pick.add_argument("--serve", action="store_true", help="read check ids from stdin, one per line")
    parser.add_argument("--base-url", help="deployment base URL, without /v1 (or STRATUS_BASE_URL)")
    parser.add_argument("--api-key", help="API key (or STRATUS_API_KEY)")
    parser.add_argument("--wrong-key", help="the key the auth-error checks send")
    parser.add_argument("--openai-model")
    parser.add_argument("--anthropic-model")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per check")
    parser.add_argument(
        "--exchanges", action="store_true", help="put every HTTP exchange of a check into its result line"
    )
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
        selected = [s for s in CHECKS.values() if args.all or s.venv == args.venv]  # none for --serve
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
    log = HttpLog(capture=args.exchanges)
    if args.serve:
        return _serve(target, log)
    failed = False
    for spec in selected:
        result = run_check(spec, target, log)
        failed |= result.status != "pass"
        print(result.to_line(), flush=True)
    return 1 if failed else 0


def _serve(target: Target, log: HttpLog) -> int:
    for line in sys.stdin:
        check_id = line.strip()
        if not check_id:
            continue
        spec = CHECKS.get(check_id)
        if spec is None:
            result = CheckResult(check_id, "python", "fail", f"unknown check id {check_id}", "exception")
        else:
            result = run_check(spec, target, log)
        print(result.to_line(), flush=True)
    return 0
