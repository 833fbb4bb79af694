"""Credit holds: `hold = await reserve(account, credits)`, then `await hold.settle(spent)` or
`await hold.release()`, exactly once.

The completion service is written against this shape only. This is a small adapter over the
per-process `_auth.Account` (its `reserve` checks the balance, its `charge` deducts); the
asynchronous account store replaces it without the service changing.
"""

from __future__ import annotations

from reference_server._auth import Account

__all__ = ["Hold", "reserve"]


class Hold:
    """Credits set aside for one request until it is settled or released."""

    __slots__ = ("_account", "_done", "credits")

    def __init__(self, account: Account, credits: float) -> None:
        self._account = account
        self.credits = credits
        self._done = False

    async def settle(self, spent: float) -> None:
        """Charge what the request really cost."""
        self._finish()
        self._account.charge(spent)

    async def release(self) -> None:
        """Give the hold back: nothing is charged."""
        self._finish()

    def _finish(self) -> None:
        if self._done:
            raise RuntimeError("a credit hold is settled or released only once")
        self._done = True


async def reserve(account: Account, credits: float) -> Hold:
    """Hold `credits`; raises 402 when the balance cannot cover them (nothing is held then)."""
    account.reserve(credits)
    return Hold(account, credits)
