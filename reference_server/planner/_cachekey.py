"""Keys and sizes for the planner's per-text caches, so that memory is bounded by bytes (issue 11).

A text longer than `LONG_TEXT` characters is keyed by a 16-byte BLAKE2b digest of it (a cache of
16k 1 MB texts would otherwise hold 16 GB of keys); `entries_for(bytes_per_entry)` turns the byte
budget of one cache into an entry limit for the cache's clear-when-full rule.
"""

from __future__ import annotations

import hashlib

__all__ = ["CACHE_BYTES", "LONG_FEATURE", "LONG_TEXT_UNCACHED", "digest", "entries_for", "text_key"]

LONG_TEXT = 256
CACHE_BYTES = 24 * 2**20
"""Budget of one per-text cache (encoded states, encoded goals, goal tiles) of one planner size."""
LONG_TEXT_UNCACHED = 64 * 1024
"""Texts longer than this are encoded (and planned) without being cached: the work on them is bounded
(the state reader reads at most 256 KiB, the goal encoder 2,048 characters), while every unique long
text would take an entry."""
LONG_FEATURE = 48
"""Hashed features (words) longer than this are not cached (their crc32 is computed each time)."""


def digest(text: str | bytes) -> bytes:
    """16 bytes of BLAKE2b of `text` (lone surrogates included): a key whose size does not grow with
    the text's."""
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).digest()


def text_key(text: str) -> str | bytes:
    """`text` when short, else its `digest`."""
    return text if len(text) <= LONG_TEXT else digest(text)


def entries_for(bytes_per_entry: int, budget: int = CACHE_BYTES) -> int:
    """How many entries of `bytes_per_entry` (plus key and dict overhead) fit in `budget`."""
    return max(64, budget // (bytes_per_entry + LONG_TEXT + 200))
