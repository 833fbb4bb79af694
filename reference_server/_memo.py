"""`memo`: an LRU cache for pure text functions, bounded by entries AND by bytes.

`functools.lru_cache` bounds entries only, and these functions are keyed on request text: 4,096
entries of 1 MB texts is 4 GB. Here a long text argument is keyed by a 16-byte BLAKE2b digest (its
cost is then the digest), every entry's cost is the size of its key plus an estimate of its result,
and least-recently-used entries go when either bound is passed. A result that alone would take more
than an eighth of the byte budget is returned without being stored.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec, TypeVar

__all__ = ["digest_key", "memo", "weigh"]

P = ParamSpec("P")
R = TypeVar("R")

_LONG_TEXT = 256
"""Text arguments longer than this are keyed by their digest."""
_ENTRY_OVERHEAD = 160
"""Bytes an entry costs beyond its key and result: the dict slot, the tuple, the linked list."""


def digest_key(text: str) -> str | bytes:
    """`text` itself when short, else a 16-byte digest of it (lone surrogates included)."""
    if len(text) <= _LONG_TEXT:
        return text
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def weigh(value: Any) -> int:
    """A rough byte size of a cached value: texts by their length, containers from a sample of 16."""
    if isinstance(value, str | bytes):
        return 49 + len(value)
    if isinstance(value, tuple | list | frozenset | set):
        if not value:
            return 56
        sample = list(itertools.islice(value, 16))
        return 56 + len(value) * (8 + sum(weigh(v) for v in sample) // len(sample))
    if isinstance(value, int | float | bool) or value is None:
        return 32
    return 1024  # a small object (a Plan): fields of a few short lists


class _Cache:
    def __init__(self, entries: int, max_bytes: int) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self.data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[bool, Any]:
        with self.lock:
            hit = self.data.get(key)
            if hit is None:
                return False, None
            self.data.move_to_end(key)
            return True, hit[0]

    def put(self, key: Hashable, value: Any, cost: int) -> None:
        if cost > self.max_bytes // 8:
            return
        with self.lock:
            old = self.data.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self.data[key] = (value, cost)
            self.bytes += cost
            while len(self.data) > self.entries or self.bytes > self.max_bytes:
                _, (_, gone) = self.data.popitem(last=False)
                self.bytes -= gone

    def clear(self) -> None:
        with self.lock:
            self.data.clear()
            self.bytes = 0


def memo(
    entries: int, max_bytes: int, *, max_text: int | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Cache a pure function of hashable (mostly text) positional arguments; see the module doc.

    With `max_text`, calls with a text argument longer than that are computed and not kept (for
    functions whose cost does not grow with the text: keeping one entry per unique long text would only
    fill the cache). The wrapper has `cache_clear()` and `cache_info()` -> `(entries, bytes)`.
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        cache = _Cache(entries, max_bytes)

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if max_text is not None and any(isinstance(a, str) and len(a) > max_text for a in args):
                return func(*args, **kwargs)
            key = tuple(digest_key(a) if isinstance(a, str) else a for a in args)
            if kwargs:
                key += (tuple(sorted(kwargs.items())),)
            found, value = cache.get(key)
            if found:
                return value  # type: ignore[no-any-return]
            result = func(*args, **kwargs)
            cost = _ENTRY_OVERHEAD + sum(weigh(k) for k in key) + weigh(result)
            cache.put(key, result, cost)
            return result

        wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
        wrapper.cache_info = lambda: (len(cache.data), cache.bytes)  # type: ignore[attr-defined]
        return wrapper

    return decorate
