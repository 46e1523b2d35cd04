"""Forwarding end to end to an LRS we did not write: Ralph (openfun/ralph) served on 127.0.0.1.

Ralph runs in its own virtualenv (tests/peers/ralph_lrs.py); where that venv cannot be built the tests
say so and are skipped.
"""
from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
import requests
from sqlalchemy import func, select

from lti_tool import database
from tests.peers.http import free_port
from tests.xapi.conftest import run_cli, statement
from xapi.forwarding import Forwarder, Policy
from xapi.models import OutboxEntry

pytestmark = pytest.mark.peer
STREAM, OUTAGE_AT, RESTART_AT = 1200, 400, 800
VERSION = {"X-Experience-API-Version": "1.0.3"}


@pytest.fixture
def ralph(tmp_path):
    from tests.peers.ralph_lrs import RalphLrs, RalphUnavailable

    try:
        peer = RalphLrs(tmp_path / "ralph", free_port()).start()
    except RalphUnavailable as error:
        pytest.skip(f"Ralph (ralph-malph[backend-fs,lrs]) is not available as a peer LRS: {error}")
    yield peer
    peer.stop()


def _register(app, ralph) -> None:
    run_cli(app, "lrs", "add", "ralph", "--url", ralph.url, "--username", ralph.credentials[0],
            "--password", ralph.credentials[1])


def _outbox(app, status: str) -> int:
    with database(app).sessions() as db:
        return db.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.status == status))


def test_statements_forwarded_to_ralph_arrive_as_sent(tool, lrs, ralph):
    _register(tool.app, ralph)
    sent = [statement(), statement(result={"score": {"scaled": 0.8}, "completion": True}),
            statement(context={"registration": "6f2c1a4e-0b0c-4b7a-9d55-2f8e1d7c9a10", "language": "fr-FR"})]
    assert lrs.post("/statements", json=sent).status_code == 200
    assert Forwarder(database(tool.app)).run_once() == len(sent)
    for original in sent:
        got = requests.get(f"{ralph.url}/statements", params={"statementId": original["id"]}, headers=VERSION,
                           auth=ralph.credentials, timeout=10)
        assert got.status_code == 200, got.text
        body = got.json()
        if "statements" in body:  # Ralph 5.1 answers a statementId query with a StatementResult
            [body] = body["statements"]
        assert {k: body[k] for k in ("id", "actor", "verb", "object")} == \
               {k: original[k] for k in ("id", "actor", "verb", "object")}
        assert body["authority"]["account"]["homePage"] == tool.url  # our authority travels with it
    assert Counter(s["id"] for s in ralph.stored()) == Counter(s["id"] for s in sent)


def test_a_batch_ralph_already_holds_counts_as_delivered(tool, lrs, ralph):
    """Ralph answers 204 (not 200) to a POST whose statements it all holds already, as after a lost reply."""
    _register(tool.app, ralph)
    sent = [statement(), statement()]
    lrs.post("/statements", json=sent)
    stored = [lrs.get("/statements", params={"statementId": s["id"]}).json() for s in sent]
    assert requests.post(f"{ralph.url}/statements", json=stored, headers=VERSION, auth=ralph.credentials,
                         timeout=10).status_code == 200  # delivered, but our outbox never heard back
    assert Forwarder(database(tool.app)).run_once() == 2
    assert _outbox(tool.app, "delivered") == 2 and _outbox(tool.app, "pending") == 0
    assert Counter(s["id"] for s in ralph.stored()) == Counter(s["id"] for s in sent)


def test_ralph_outage_loses_nothing_and_receives_each_statement_once(tool, lrs, ralph):
    """1,200 statements in batches of 20; Ralph is stopped after 400 and started again after 800."""
    _register(tool.app, ralph)
    forwarder = Forwarder(database(tool.app), Policy(batch_size=50, timeout=2, backoff_base=0.05,
                                                          backoff_cap=0.2, max_attempts=10_000))
    stop = threading.Event()
    worker = threading.Thread(target=forwarder.run_forever, args=(stop, 0.02), daemon=True)
    worker.start()
    sent_ids: list[str] = []
    try:
        for start in range(0, STREAM, 20):
            if start == OUTAGE_AT:
                ralph.stop()
                delivered_before_outage = len(ralph.stored())
            if start == RESTART_AT:
                assert _outbox(tool.app, "pending") > 0, "the outage held statements back"
                ralph.start()
            batch = [statement() for _ in range(20)]
            assert lrs.post("/statements", json=batch).status_code == 200
            sent_ids += [s["id"] for s in batch]
        deadline = time.monotonic() + 120
        while _outbox(tool.app, "delivered") < STREAM and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(10)
    assert 0 < delivered_before_outage <= OUTAGE_AT
    assert _outbox(tool.app, "delivered") == STREAM and _outbox(tool.app, "dead") == 0
    received = Counter(s["id"] for s in ralph.stored())
    assert set(received) == set(sent_ids) and set(received.values()) == {1}
    assert "ralph\tdelivered\t1200" in run_cli(tool.app, "outbox")
