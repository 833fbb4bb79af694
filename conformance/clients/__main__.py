"""`python -m conformance.clients matrix …` (the whole matrix) or `… run …` (the Python runner)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv.pop(0) if argv else ""
    if command == "matrix":
        from ._matrix import main as matrix

        return matrix(argv)
    if command == "run":
        from ._pyrunner import main as run

        return run(argv)
    print("usage: python -m conformance.clients {matrix|run} …", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
