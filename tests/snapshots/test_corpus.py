"""The reference server's answer to every request of `fixtures/requests/`, as syrupy snapshots.

Intended changes: `pytest tests/snapshots --snapshot-update`, then review the diff of
`tests/snapshots/__snapshots__/`. Any other difference, and any snapshot no test uses, fails the run.
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

from reference_server import create_app
from tests._corpus import CorpusRequest, asgi_client, load_corpus, reference_settings, send
from tests.snapshots.conftest import answer_document

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
async def test_answer(req: CorpusRequest, client: httpx.AsyncClient, snapshot_api: SnapshotAssertion) -> None:
    answer = await send(client, req)
    assert answer.status == req.expect_status, answer.raw[:500]
    assert (answer.events is not None) == (req.stream and answer.status == 200)
    document = answer_document(answer)
    seen = answer.raw.decode() + json.dumps(document, ensure_ascii=False)
    for secret in req.secrets():
        assert secret not in seen, f"{req.id}: a credential of the request came back"
    assert not SECRET_SHAPES.search(json.dumps(document, ensure_ascii=False))
    assert document == snapshot_api


def test_no_credentials_in_stored_snapshots() -> None:
    """Scan the stored files too (an --snapshot-update could have written one)."""
    secrets = {s for req in CORPUS for s in req.secrets()}
    for path in sorted(SNAPSHOT_DIR.rglob("*.json")):
        text = path.read_text(encoding="utf-8")
        assert not SECRET_SHAPES.search(text), path.name
        assert not any(s in text for s in secrets), path.name
