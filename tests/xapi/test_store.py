"""The statement store's rows, as written on each database: the columns queries filter on must hold the
statement's own values (instants with their offsets, flags, index rows) whichever way the rows travel."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import orjson
from sqlalchemy import select

from lti_tool import database
from xapi.models import Statement, StatementActivity, StatementAgent
from xapi.store import SqlStatementStore, prepare

from .conftest import statement

AUTHORITY = {"objectType": "Agent", "account": {"homePage": "https://lrs.example.org", "name": "tests"}}
STORED = "2026-12-07T08:15:30.250Z"


def _rows(app, ids: list[str]) -> dict[str, dict]:
    with database(app).read() as connection:
        rows = connection.execute(select(Statement.__table__).where(Statement.id.in_(ids))).mappings().all()
        return {row["id"]: dict(row) for row in rows}


def _index_rows(app, model, statement_id: str) -> list[dict]:
    with database(app).read() as connection:
        return [dict(row) for row in connection.execute(
            select(model.__table__).where(model.statement_id == statement_id)).mappings()]


def test_saved_rows_keep_instants_offsets_and_flags(app):
    registration = str(uuid.uuid4())
    first = prepare(statement(timestamp="2026-06-01T12:30:45.123456-05:00",
                              context={"registration": registration}), AUTHORITY, STORED)
    voiding = prepare(statement(verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
                                object={"objectType": "StatementRef", "id": first["id"]}), AUTHORITY, STORED)
    with database(app).begin() as connection:
        SqlStatementStore().save(connection, [first, voiding])

    rows = _rows(app, [first["id"], voiding["id"]])
    stored = datetime(2026, 12, 7, 8, 15, 30, 250000, tzinfo=UTC)
    target = rows[first["id"]]
    assert target["timestamp"] == datetime(2026, 6, 1, 12, 30, 45, 123456, tzinfo=timezone(timedelta(hours=-5)))
    assert target["stored"] == stored
    assert (target["registration"], target["verb_id"]) == (registration, "http://adlnet.gov/expapi/verbs/experienced")
    assert (target["voided"], target["is_voiding"], target["object_statement_id"]) == (True, False, None)
    assert orjson.loads(target["document"]) == first
    assert (rows[voiding["id"]]["is_voiding"], rows[voiding["id"]]["voided"]) == (True, False)
    assert rows[voiding["id"]]["object_statement_id"] == first["id"]

    activities = _index_rows(app, StatementActivity, first["id"])
    assert {(row["activity_id"], row["role"]) for row in activities} >= {("http://example.org/activities/lesson-1",
                                                                          "object")}
    assert {row["stored"] for row in activities + _index_rows(app, StatementAgent, first["id"])} == {stored}


def test_fresh_statements_rows_match_saved_ones(app):
    """``insert_new`` (the tool's own statements, ids just generated) writes the same rows as ``save``."""
    saved, fresh = (prepare(statement(timestamp="2026-06-01T23:59:59.5+02:00"), AUTHORITY, STORED) for _ in "ab")
    store = SqlStatementStore()
    with database(app).begin() as connection:
        store.save(connection, [saved])
        store.insert_new(connection, [fresh])

    rows = _rows(app, [saved["id"], fresh["id"]])
    columns = [name for name in rows[saved["id"]] if name not in ("id", "document")]
    assert [rows[fresh["id"]][name] for name in columns] == [rows[saved["id"]][name] for name in columns]
    assert rows[fresh["id"]]["timestamp"] == datetime(2026, 6, 1, 21, 59, 59, 500000, tzinfo=UTC)
    for model in (StatementActivity, StatementAgent):
        assert sorted((r["role"], r["stored"]) for r in _index_rows(app, model, fresh["id"])) == sorted(
            (r["role"], r["stored"]) for r in _index_rows(app, model, saved["id"]))


def test_a_leap_second_is_kept_as_its_last_microsecond(app):
    """Python has no 60th second: the column holds the moment just before it, the document what was sent."""
    leap = prepare(statement(timestamp="2016-12-31T23:59:60.5Z"), AUTHORITY, STORED)
    with database(app).begin() as connection:
        SqlStatementStore().save(connection, [leap])
    row = _rows(app, [leap["id"]])[leap["id"]]
    assert row["timestamp"] == datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert orjson.loads(row["document"])["timestamp"] == "2016-12-31T23:59:60.5Z"
