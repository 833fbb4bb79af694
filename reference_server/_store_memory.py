"""`MemoryStore`: the embedded account store (one process; the default, nothing to set up).

Balances are integers of micro-credits (as in the Redis store, so both round alike). Every method
runs without an `await` between its read and its write, so on one event loop each is atomic.
Limits hold per process: with several workers use the Redis store (the CLI refuses otherwise).
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import math
import time
from collections.abc import Mapping

from reference_server._auth import presented_key
from reference_server._errors import ApiError
from reference_server._store import (
    Account,
    KeyRecord,
    Reservation,
    account_of,
    insufficient_credits,
    not_allowed,
    rate_limited,
)

__all__ = ["MICRO", "MemoryStore"]

MICRO = 1_000_000
_WINDOW_S = 60.0


def micro(credits: float) -> int:
    return math.ceil(round(credits * MICRO, 3))


class _Hold:
    def __init__(self, store: MemoryStore, account_id: str, held: int) -> None:
        self._store, self._id, self._held = store, account_id, held
        self._done = False

    async def settle(self, spent: float) -> None:
        if self._done:
            return
        self._done = True
        charged = min(self._held, max(0, micro(spent)))
        self._store._balances[self._id] += self._held - charged

    async def release(self) -> None:
        if self._done:
            return
        self._done = True
        self._store._balances[self._id] += self._held


class _Unlimited:
    async def settle(self, spent: float) -> None:
        return None

    async def release(self) -> None:
        return None


UNLIMITED_HOLD = _Unlimited()


class MemoryStore:
    """Accounts from the key records; open mode (no records) accepts any well-formed key."""

    def __init__(self, records: list[KeyRecord]) -> None:
        self.open = not records
        self._accounts: dict[bytes, Account] = {}
        self._balances: dict[str, int] = {}
        self._recent: dict[str, collections.deque[float]] = {}
        for rec in records:
            account = account_of(rec)
            self._accounts[hashlib.sha256(rec.key.encode()).digest()] = account
            if account.credits is not None:
                self._balances[account.id] = micro(account.credits)
        self._open_account = Account(id="open")

    async def authenticate(self, headers: Mapping[str, str]) -> Account:
        key = presented_key(headers)
        if self.open:
            return self._open_account
        digest = hashlib.sha256(key.encode()).digest()
        for known, account in self._accounts.items():
            if hmac.compare_digest(known, digest):
                return account
        raise ApiError(401, "Incorrect API key provided.")

    async def admit(self, account: Account, path: str) -> None:
        if account.allowed is not None and path not in account.allowed:
            raise not_allowed(path)
        if account.rate_limit is None:
            return
        recent = self._recent.setdefault(account.id, collections.deque())
        now = time.monotonic()
        while recent and now - recent[0] >= _WINDOW_S:
            recent.popleft()
        if len(recent) >= account.rate_limit:
            raise rate_limited(account.rate_limit, max(1, math.ceil(_WINDOW_S - (now - recent[0]))))
        recent.append(now)

    async def reserve(self, account: Account, credits: float) -> Reservation:
        if account.id not in self._balances:
            return UNLIMITED_HOLD
        need = micro(credits)
        have = self._balances[account.id]
        if have < need or have <= 0:
            raise insufficient_credits(credits, have / MICRO)
        self._balances[account.id] = have - need
        return _Hold(self, account.id, need)

    async def balance(self, account: Account) -> float | None:
        have = self._balances.get(account.id)
        return None if have is None else have / MICRO

    async def close(self) -> None:
        return None
