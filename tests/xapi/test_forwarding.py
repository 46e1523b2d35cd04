"""Forwarding to an external LRS: a stream of 1,200 statements survives the LRS going down and coming back."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from lti_tool import create_app, database, prepare, services
from tests.peers.http import LiveServer, free_port
from tests.xapi.conftest import make_credential, run_cli, statement
from xapi.forwarding import Forwarder, Policy
from xapi.models import OutboxEntry, Statement

STREAM, OUTAGE_AT, RESTART_AT = 1200, 400, 800


def _external_lrs(tmp_path, port):
    """A second Passeport LRS with its own database: the receiving end."""
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'external.db'}",
                      "INSTANCE_PATH": str(tmp_path / "external"), "BASE_URL": f"http://127.0.0.1:{port}"})
    prepare(app)
    return app


def _count(app, model, **where):
    with database(app).sessions() as db:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.scalar(query)


@pytest.mark.peer
def test_outage_loses_nothing_and_delivers_each_statement_once(tool, lrs, tmp_path):
    port = free_port()
    external = _external_lrs(tmp_path, port)
    key, secret = make_credential(external, "passeport-forwarder", "write")
    run_cli(tool.app, "lrs", "add", "regional-lrs", "--url", f"http://127.0.0.1:{port}/xapi",
            "--username", key, "--password", secret)
    forwarder = Forwarder(database(tool.app), Policy(batch_size=50, timeout=2, backoff_base=0.05,
                                                          backoff_cap=0.2, max_attempts=10_000),
                          sealer=services.lrs(tool.app).sealer)  # the password is stored sealed
    stop = threading.Event()
    worker = threading.Thread(target=forwarder.run_forever, args=(stop, 0.02), daemon=True)
    sent_ids, server = [], LiveServer(external, port).__enter__()
    worker.start()
    try:
        for start in range(0, STREAM, 20):
            if start == OUTAGE_AT:
                server.__exit__(None, None, None)
                delivered_before_outage = _count(external, Statement)
            if start == RESTART_AT:
                assert _count(tool.app, OutboxEntry, status="pending") > 0, "the outage held statements back"
                server = LiveServer(external, port).__enter__()
            batch = [statement() for _ in range(20)]
            assert lrs.post("/statements", json=batch).status_code == 200
            sent_ids += [s["id"] for s in batch]
        deadline = time.monotonic() + 90
        while _count(tool.app, OutboxEntry, status="delivered") < STREAM and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(10)
        server.__exit__(None, None, None)
    assert 0 < delivered_before_outage <= OUTAGE_AT
    assert _count(tool.app, OutboxEntry, status="delivered") == STREAM
    assert _count(tool.app, OutboxEntry, status="dead") == 0
    with database(external).sessions() as db:
        received = list(db.scalars(select(Statement.id)))
    assert len(received) == STREAM and set(received) == set(sent_ids)
    assert "regional-lrs\tdelivered\t1200" in run_cli(tool.app, "outbox")


@pytest.mark.peer
def test_a_refused_statement_is_a_visible_dead_letter(tool, lrs, tmp_path):
    port = free_port()
    external = _external_lrs(tmp_path, port)
    key, secret = make_credential(external, "forwarder", "write")
    conflicting = statement()
    with LiveServer(external, port):
        external_client = __import__("tests.xapi.conftest", fromlist=["LrsClient"]).LrsClient(
            f"http://127.0.0.1:{port}", (key, secret))
        failed = dict(conflicting, verb={"id": "http://adlnet.gov/expapi/verbs/failed"})
        assert external_client.post("/statements", json=failed).status_code == 200
        run_cli(tool.app, "lrs", "add", "strict-lrs", "--url", f"http://127.0.0.1:{port}/xapi",
                "--username", key, "--password", secret)
        lrs.post("/statements", json=[conflicting, statement()])
        assert Forwarder(database(tool.app), sealer=services.lrs(tool.app).sealer).run_once() == 1
    report = run_cli(tool.app, "outbox")
    assert "strict-lrs\tdead\t1" in report and conflicting["id"] in report and "409" in report
    assert "1 dead letter(s) queued again" in run_cli(tool.app, "outbox", "--retry-dead")


def test_the_environment_can_name_an_external_lrs(make_app, monkeypatch):
    monkeypatch.setenv("PASSEPORT_XAPI_LRS_URL", "https://lrs.example.org/xapi")
    monkeypatch.setenv("PASSEPORT_XAPI_LRS_USERNAME", "passeport")
    app = make_app()
    assert "environment\thttps://lrs.example.org/xapi\tplatform=*\tenabled" in run_cli(app, "lrs", "list")
