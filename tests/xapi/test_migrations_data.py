"""xapi migrations upgrade the data already stored, not only the schema."""
from __future__ import annotations

import sqlalchemy as sa

from xapi import migrations

ROWS = {
    "xapi_statements": [
        {"id": "t", "verb_id": "http://example.org/verbs/met", "registration": "r", "object_statement_id": None},
        {"id": "s", "verb_id": "http://example.org/verbs/saw", "registration": None, "object_statement_id": "t"},
        {"id": "u", "verb_id": "http://example.org/verbs/saw", "registration": None, "object_statement_id": "s"},
    ],
    "xapi_statement_agents": [{"statement_id": "t", "agent_key": "mbox_sha1sum:ada", "role": "actor"}],
    "xapi_statement_activities": [{"statement_id": "t", "activity_id": "http://example.org/a", "role": "object"}],
}


def test_x0004_copies_what_stored_statement_refs_lead_to(database_url):
    """Statements stored before x0004 that target others (directly or along a chain) get their targets' index
    rows and verbs, so queries keep finding them."""
    migrations.upgrade(database_url, "x0003")
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        for row in ROWS["xapi_statements"]:
            connection.execute(sa.text(
                "INSERT INTO xapi_statements (id, stored, timestamp, verb_id, registration, object_statement_id,"
                " voided, is_voiding, document) VALUES (:id, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :verb_id,"
                " :registration, :object_statement_id, false, false, '{}')"), row)
        for table in ("xapi_statement_agents", "xapi_statement_activities"):
            key = "agent_key" if table == "xapi_statement_agents" else "activity_id"
            for row in ROWS[table]:
                connection.execute(sa.text(f"INSERT INTO {table} (statement_id, {key}, role, stored)"
                                           f" VALUES (:statement_id, :{key}, :role, CURRENT_TIMESTAMP)"), row)
    migrations.upgrade(database_url)
    with engine.connect() as connection:
        agents = set(connection.execute(sa.text("SELECT statement_id, agent_key, role, origin_id"
                                                " FROM xapi_statement_agents")))
        targets = set(connection.execute(sa.text("SELECT statement_id, origin_id, verb_id, registration"
                                                 " FROM xapi_statement_targets")))
        activities = set(connection.execute(sa.text("SELECT statement_id, origin_id FROM xapi_statement_activities")))
    engine.dispose()
    assert agents == {("t", "mbox_sha1sum:ada", "actor", None), ("s", "mbox_sha1sum:ada", "actor", "t"),
                      ("u", "mbox_sha1sum:ada", "actor", "t")}
    assert activities == {("t", None), ("s", "t"), ("u", "t")}
    assert targets == {("s", "t", "http://example.org/verbs/met", "r"), ("u", "t", "http://example.org/verbs/met", "r"),
                       ("u", "s", "http://example.org/verbs/saw", None)}
