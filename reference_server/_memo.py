"""`memo`: an LRU cache for pure text functions, bounded by entries AND by bytes.

`functools.lru_cache` bounds entries only, and these functions are keyed on request text: 4,096
entries of 1 MB texts is 4 GB. Here a long text (or bytes) argument is keyed by a 16-byte BLAKE2b
digest (its cost is then the digest), every entry's cost is the size of its key plus an estimate of
its result, and least-recently-used entries go when either bound is passed. A result that alone would
take more than an eighth of the byte budget is returned without being stored.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, ParamSpec, TypeVar

import msgspec

from reference_server.planner._cachekey import LONG_TEXT, digest, text_key

__all__ = ["BoundedCache", "Memoized", "digest_key", "memo", "weigh"]

P = ParamSpec("P")
R = TypeVar("R")

_ENTRY_OVERHEAD = 160
"""Bytes an entry costs beyond its key and result: the dict slot, the tuple, the linked list."""


def digest_key(text: str) -> str | bytes:
    """`text` itself when short (256 characters at most), else a 16-byte digest of it (lone
    surrogates included)."""
    return text_key(text)


def _key_part(value: Any) -> Any:
    if isinstance(value, str):
        return text_key(value)
    if isinstance(value, bytes) and len(value) > 16:
        return b"#" + digest(value)
    return value


_SCALARS = frozenset({int, float, bool, type(None)})


def weigh(value: Any, _depth: int = 0) -> int:
    """A rough byte size of a cached value: texts by their length, containers from a sample of 16,
    dataclasses and msgspec Structs by their fields (three levels deep, then 64 bytes a value)."""
    kind = type(value)  # exact types first: a miss weighs every value it keeps
    if kind is str or kind is bytes:
        return 49 + len(value)
    if kind in _SCALARS:
        return 32
    if isinstance(value, str | bytes):
        return 49 + len(value)
    if isinstance(value, int | float | bool) or value is None:
        return 32
    if _depth > 3:
        return 64
    if isinstance(value, tuple | list | frozenset | set):
        if not value:
            return 56
        sample = list(itertools.islice(value, 16))
        return 56 + len(value) * (8 + sum(weigh(v, _depth + 1) for v in sample) // len(sample))
    if isinstance(value, msgspec.Struct):
        fields: Iterable[str] = value.__struct_fields__
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (f.name for f in dataclasses.fields(value))
    else:
        return 1024  # an object it cannot see into
    return 56 + sum(8 + weigh(getattr(value, name), _depth + 1) for name in fields)


class BoundedCache:
    """The LRU store behind `memo`, bounded by entries and bytes, for a cache whose key or check is
    not a function's arguments: `get(key) -> (found, value)`, `put(key, value, cost)` (a value
    costing more than an eighth of `max_bytes` is not kept)."""

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


class Memoized(Generic[P, R]):
    """A `memo`-cached function: call it as the function; `cache_clear()`, `cache_info()` ->
    `(entries, bytes)`."""

    def __init__(
        self, func: Callable[P, R], cache: BoundedCache, max_text: int | None, weight: Callable[[Any], int]
    ) -> None:
        self._func, self._cache, self._max_text, self._weight = func, cache, max_text, weight
        functools.update_wrapper(self, func)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        # the hit path runs several times per request: one pass over the arguments, no generators
        max_text = self._max_text
        parts = []
        for a in args:
            if isinstance(a, str):
                if max_text is not None and len(a) > max_text:
                    return self._func(*args, **kwargs)
                if len(a) > LONG_TEXT:
                    a = digest(a)
            elif isinstance(a, bytes) and len(a) > 16:
                a = b"#" + digest(a)
            parts.append(a)
        key = tuple(parts)
        if kwargs:
            key += (tuple(sorted((k, _key_part(v)) for k, v in kwargs.items())),)
        cache = self._cache
        try:
            with cache.lock:
                hit = cache.data.get(key)
                if hit is not None:
                    cache.data.move_to_end(key)
                    return hit[0]  # type: ignore[no-any-return]
        except TypeError:  # an unhashable argument (a list): computed, not cached, never a 500
            return self._func(*args, **kwargs)
        result = self._func(*args, **kwargs)
        cost = _ENTRY_OVERHEAD + sum(weigh(k) for k in key) + self._weight(result)
        cache.put(key, result, cost)
        return result

    def cache_clear(self) -> None:
        self._cache.clear()

    def cache_info(self) -> tuple[int, int]:
        return len(self._cache.data), self._cache.bytes


def memo(
    entries: int,
    max_bytes: int,
    *,
    max_text: int | None = None,
    weight: Callable[[Any], int] | None = None,
) -> Callable[[Callable[P, R]], Memoized[P, R]]:
    """Cache a pure function of hashable (mostly text) arguments; see the module doc.

    With `max_text`, calls with a text argument longer than that are computed and not kept (for
    functions whose cost does not grow with the text: keeping one entry per unique long text would only
    fill the cache). `weight(result)` replaces `weigh` for results it cannot see into (an object that
    holds a decoded document).
    """

    def decorate(func: Callable[P, R]) -> Memoized[P, R]:
        return Memoized(func, BoundedCache(entries, max_bytes), max_text, weight or weigh)

    return decorate
