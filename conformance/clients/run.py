"""Script entry of the Python runner, for client venvs that hold only the client libraries.

Run by path, it imports this folder as the top-level package `clients`, so the conformance package's
own dependencies need not be installed there; `python -m conformance.clients.run` works too.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and not __package__:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
    from clients._pyrunner import main  # type: ignore[import-not-found]
else:
    from ._pyrunner import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
