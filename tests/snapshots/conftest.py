"""Snapshot plumbing: the project's tests use the machinery of `stratus-conformance snapshot`.

`StratusSnapshotExtension` (conformance/snapshot_syrupy.py) normalises a snapshot document with the
one rules table (`conformance/snapshot-rules.toml`: volatile fields -> typed placeholders such as
`<chatcmpl-id>`, `<unix-seconds>`, `<ms>`; transport headers dropped) and writes it with the one
serializer, one `<request id>.json` per request in `__snapshots__/test_corpus/`: the very files
`stratus-conformance snapshot --snapshots tests/snapshots/__snapshots__/test_corpus` checks.
"""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion

from conformance.snapshot_syrupy import StratusSnapshotExtension

__all__: list[str] = []


@pytest.fixture
def snapshot_corpus(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """One `<request id>.json` per corpus request, in the snapshot command's format."""
    return snapshot.use_extension(StratusSnapshotExtension)
