"""The reference server's answer to every request of `fixtures/requests/`, as syrupy snapshots.

The documents, the normalisation and the serializer are those of `stratus-conformance snapshot`;
the files in `__snapshots__/test_corpus/` are `<request id>.json`. Intended changes (either
command writes the same files):

    pytest tests/snapshots --snapshot-update
    stratus-conformance snapshot --update --snapshots tests/snapshots/__snapshots__/test_corpus

then review `git diff tests/snapshots/__snapshots__/`. Any other difference, and any snapshot no
request uses, fails the run.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from litestar import Litestar
from syrupy.assertion import SnapshotAssertion

from conformance.snapshot_syrupy import build_document
from reference_server import create_app
from tests._corpus import CorpusRequest, asgi_client, load_corpus, reference_settings, send

CORPUS = load_corpus()
SNAPSHOT_DIR = Path(__file__).parent / "__snapshots__"
# What a credential looks like (D-AUTH-2 grammar, provider prefixes): none may ever be stored.
SECRET_SHAPES = re.compile(
    r"stratus_sk_(live|test)_[A-Za-z0-9]{8,}|sk-(proj|ant|or)-[A-Za-z0-9]{8,}|AIza[0-9A-Za-z_-]{8,}"
)


@pytest.fixture(scope="module")
def app() -> Litestar:
    return create_app(reference_settings())


@pytest_asyncio.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as c:
        yield c


@pytest.mark.asyncio
@pytest.mark.parametrize("req", CORPUS, ids=[r.id for r in CORPUS])
async def test_answer(
    req: CorpusRequest, client: httpx.AsyncClient, snapshot_corpus: SnapshotAssertion
) -> None:
    answer = await send(client, req)
    assert answer.status == req.expect_status, answer.raw[:500]
    assert (answer.events is not None) == (req.stream and answer.status == 200)
    document = build_document(req, answer.raw_answer())
    stored = json.dumps(document, ensure_ascii=False)
    for secret in req.secrets():
        assert secret not in stored, f"{req.id}: a credential of the request would be stored"
    assert not SECRET_SHAPES.search(stored)
    assert document == snapshot_corpus


def test_no_credentials_in_stored_snapshots() -> None:
    """Scan the stored files too (an --snapshot-update could have written one)."""
    secrets = {s for req in CORPUS for s in req.secrets()}
    files = sorted(SNAPSHOT_DIR.rglob("*.json"))
    assert len(files) == len(CORPUS)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not SECRET_SHAPES.search(text), path.name
        assert not any(s in text for s in secrets), path.name
