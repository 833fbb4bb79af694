"""The snapshot machinery of ``stratus-conformance snapshot`` as a syrupy extension.

Use it in a test parametrized by request id; the file is ``__snapshots__/<test module>/<id>.json``,
byte for byte what ``stratus-conformance snapshot --snapshots __snapshots__/<test module>`` writes,
so the same directory can be checked by pytest and by the CLI against any deployment::

    from conformance.snapshot_syrupy import StratusSnapshotExtension, build_document

    @pytest.mark.parametrize("req", load_corpus(), ids=lambda r: r.id)
    def test_answer(req, snapshot):
        raw = ...  # a RawAnswer: status, headers, content
        assert build_document(req, raw) == snapshot(extension_class=StratusSnapshotExtension)

``serialize`` normalises the document with the rules table (``snapshot-rules.toml``, the one table
of volatile fields) and writes it with the one serializer (``_snapshot_doc.dumps``): exact mode.
Needs syrupy (a dev dependency; not imported by anything else in the package).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any, ClassVar

from syrupy.extensions.json import JSONSnapshotExtension
from syrupy.location import PyTestLocation
from syrupy.types import PropertyFilter, PropertyMatcher, SerializableData, SerializedData, SnapshotIndex

from conformance._corpus import CorpusRequest, load_corpus
from conformance._snapshot_doc import RawAnswer, build_document, dumps
from conformance._snapshot_rules import Rules, load_rules, normalise

__all__ = ["CorpusRequest", "RawAnswer", "StratusSnapshotExtension", "build_document", "load_corpus"]

_PARAM = re.compile(r"\[(.+)\]$")


class StratusSnapshotExtension(JSONSnapshotExtension):
    """One ``<request id>.json`` per parametrized test, in the CLI's format (exact mode)."""

    rules: ClassVar[Rules | None] = None
    """The rules table; None: the default ``snapshot-rules.toml`` (a subclass may set its own)."""

    def serialize(
        self,
        data: SerializableData,
        *,
        exclude: PropertyFilter | None = None,
        include: PropertyFilter | None = None,
        matcher: PropertyMatcher | None = None,
    ) -> SerializedData:
        if not isinstance(data, dict):
            raise TypeError(f"expected a snapshot document (dict), got {type(data).__name__}")
        document: dict[str, Any] = data
        return dumps(normalise(document, self.rules or load_rules()))

    @classmethod
    def get_snapshot_name(cls, *, test_location: PyTestLocation, index: SnapshotIndex = 0) -> str:
        """The test's parameter id (the request id), not ``test_name[id]``."""
        found = _PARAM.search(test_location.snapshot_name_parametrized)
        if found is None:
            return super().get_snapshot_name(test_location=test_location, index=index)
        name = cls._sanitize_filename(found.group(1))
        return name if index == 0 else f"{name}.{index}"

    @classmethod
    def write_snapshot(
        cls,
        *,
        snapshot_location: str,
        snapshots: list[tuple[SerializedData, PyTestLocation, SnapshotIndex]],
        name_order: dict[str, int] | None = None,
    ) -> None:
        # syrupy warns when a snapshot name does not start with the test's name; ours is the request
        # id on purpose (the CLI's file name), so that one warning is expected here.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", r"\s*Can not relate snapshot name", UserWarning)
            super().write_snapshot(
                snapshot_location=snapshot_location, snapshots=snapshots, name_order=name_order
            )

    @classmethod
    def matches_test_location(cls, *, test_location: PyTestLocation, snapshot_location: str) -> bool:
        """Every file of the module's directory belongs to its tests (so unused ones are found)."""
        return Path(snapshot_location).parent.name == test_location.basename and (
            test_location.matches_snapshot_site(snapshot_location)
        )
