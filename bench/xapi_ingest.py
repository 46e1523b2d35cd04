"""Statements stored per second through POST /xapi/statements, beside the fastest ways to write the same rows.

For each database (SQLite file in WAL mode, PostgreSQL when reachable) and each
batch size (1, 100, 500), the same generated statements are
  1. POSTed to the embedded LRS through the WSGI app in-process (auth, version
     header, JSON parsing, strict validation, conflict check, insert, commit), and
  2. written as the very same table rows (statements, agent and activity index
     rows, activity definitions upserted), one transaction per batch, rows built
     before the clock starts — the ceilings:
       SQLite: SQLAlchemy Core executemany;
       PostgreSQL: COPY through psycopg (definitions: one multi-row upsert), and
       multi-row INSERT … VALUES sent in psycopg's pipeline mode.
Median of 3 runs each (--rounds), one core.

    python bench/xapi_ingest.py [--statements 3000] [--postgres URL] [--batches 1,100,500] [--postgres-only]
"""
from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from psycopg.types.json import Json  # noqa: E402
from sqlalchemy import create_engine, delete, insert  # noqa: E402
from sqlalchemy.dialects.postgresql import insert as postgresql_insert  # noqa: E402
from sqlalchemy.dialects.sqlite import insert as sqlite_insert  # noqa: E402

from lti_tool import create_app, database, prepare  # noqa: E402
from xapi import basic_auth  # noqa: E402
from xapi.models import Activity, Statement, StatementActivity, StatementAgent  # noqa: E402
from xapi.store import index_rows, now_iso, statement_row  # noqa: E402
from xapi.store import prepare as prepare_statement  # noqa: E402

BATCHES = (1, 100, 500)


def make_statements(count: int) -> list[dict]:
    """Statements shaped like the player's (~1 kB): account actor, lesson object, context, result."""
    registration = str(uuid.uuid4())
    return [{
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent",
                  "account": {"homePage": "https://lms.example.org", "name": f"learner-{i % 50}"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced",
                 "display": {"fr": "a consulté", "en": "experienced"}},
        "object": {"objectType": "Activity", "id": f"https://passeport.example.org/modules/m{i % 18}/sections/s{i % 7}",
                   "definition": {"type": "http://adlnet.gov/expapi/activities/lesson",
                                  "name": {"fr": "Pourquoi vendre en ligne", "en": "Why sell online"}}},
        "context": {"registration": registration, "language": "fr", "platform": "Passeport",
                    "contextActivities": {"parent": [{"id": f"https://passeport.example.org/modules/m{i % 18}"}],
                                          "grouping": [{"id": "https://passeport.example.org"}]}},
        "result": {"completion": True, "duration": "PT42.5S"},
        "timestamp": "2026-11-20T10:00:00.000Z",
    } for i in range(count)]


def clear(app) -> None:
    with database(app).begin() as connection:
        for model in (StatementActivity, StatementAgent, Statement, Activity):
            connection.execute(delete(model))


def via_post(app, headers, statements, batch: int) -> float:
    client = app.test_client()
    began = time.perf_counter()
    for start in range(0, len(statements), batch):
        chunk = statements[start:start + batch]
        response = client.post("/xapi/statements", json=chunk if batch > 1 else chunk[0], headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return len(statements) / (time.perf_counter() - began)


def batches_of_rows(statements: list[dict], batch: int, authority: dict) -> list[tuple]:
    stored = now_iso()
    chunks = []
    for start in range(0, len(statements), batch):
        prepared = [prepare_statement(s, authority, stored) for s in statements[start:start + batch]]
        rows = [statement_row(s) for s in prepared]
        chunks.append((rows, *index_rows(prepared, [row["stored"] for row in rows])))
    return chunks


def via_core(app, statements, batch: int, authority: dict) -> float:
    """SQLAlchemy Core executemany: no HTTP, no authentication, no validation, no conflict check."""
    dialect_insert = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}[database(app).engine.dialect.name]
    upsert = dialect_insert(Activity)
    upsert = upsert.on_conflict_do_update(index_elements=["id"], set_={"definition": upsert.excluded.definition})
    chunks = batches_of_rows(statements, batch, authority)
    began = time.perf_counter()
    for rows, activity_rows, agent_rows, definitions in chunks:
        with database(app).begin() as connection:
            connection.execute(insert(Statement), rows)
            connection.execute(insert(StatementActivity), activity_rows)
            connection.execute(insert(StatementAgent), agent_rows)
            connection.execute(upsert, [{"id": k, "definition": v} for k, v in definitions.items()])
    return len(statements) / (time.perf_counter() - began)


STATEMENT_COLUMNS = ("id", "stored", "timestamp", "verb_id", "registration", "object_statement_id", "voided",
                     "is_voiding", "authority_key", "document")
ACTIVITY_COLUMNS = ("statement_id", "activity_id", "role", "stored")
AGENT_COLUMNS = ("statement_id", "agent_key", "role", "stored")
UPSERT_DEFINITIONS = ("INSERT INTO xapi_activities (id, definition) VALUES {} "
                      "ON CONFLICT (id) DO UPDATE SET definition = excluded.definition")


def _values(rows: list[dict], columns: tuple[str, ...]) -> tuple[str, list]:
    """A multi-row VALUES list and its parameters."""
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return ", ".join([one] * len(rows)), [row[c] for row in rows for c in columns]


def _upsert_definitions(cursor, definitions: dict[str, dict]) -> None:
    if definitions:
        values, params = _values([{"id": k, "definition": Json(v)} for k, v in definitions.items()],
                                 ("id", "definition"))
        cursor.execute(UPSERT_DEFINITIONS.format(values), params)


def via_copy(app, statements, batch: int, authority: dict) -> float:
    """PostgreSQL COPY through psycopg, one transaction per batch."""
    chunks = batches_of_rows(statements, batch, authority)
    with database(app).engine.connect() as sa_connection:
        connection = sa_connection.connection.driver_connection
        connection.commit()
        began = time.perf_counter()
        for rows, activity_rows, agent_rows, definitions in chunks:
            with connection.transaction(), connection.cursor() as cursor:
                for table, columns, table_rows in (("xapi_statements", STATEMENT_COLUMNS, rows),
                                                   ("xapi_statement_activities", ACTIVITY_COLUMNS, activity_rows),
                                                   ("xapi_statement_agents", AGENT_COLUMNS, agent_rows)):
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in table_rows:
                            copy.write_row([row[c] for c in columns])
                _upsert_definitions(cursor, definitions)
        return len(statements) / (time.perf_counter() - began)


def via_pipeline(app, statements, batch: int, authority: dict) -> float:
    """One multi-row INSERT … VALUES per table per batch, sent in psycopg's pipeline mode."""
    chunks = batches_of_rows(statements, batch, authority)
    with database(app).engine.connect() as sa_connection:
        connection = sa_connection.connection.driver_connection
        connection.commit()
        began = time.perf_counter()
        for rows, activity_rows, agent_rows, definitions in chunks:
            with connection.pipeline(), connection.transaction(), connection.cursor() as cursor:
                for table, columns, table_rows in (("xapi_statements", STATEMENT_COLUMNS, rows),
                                                   ("xapi_statement_activities", ACTIVITY_COLUMNS, activity_rows),
                                                   ("xapi_statement_agents", AGENT_COLUMNS, agent_rows)):
                    values, params = _values(table_rows, columns)
                    cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}", params)
                _upsert_definitions(cursor, definitions)
        return len(statements) / (time.perf_counter() - began)


def measure(app, count: int, batches: tuple[int, ...] = BATCHES, rounds: int = 3) -> list[tuple]:
    """(batch, POST rate, {ceiling name: (rate, median of the rounds' POST / ceiling ratios)}) per batch size.
    The per-round ratio compares runs a few seconds apart: it moves less with a shared machine's load."""
    with database(app).begin() as connection:
        key, secret = basic_auth.add(connection, "bench", ["all"])
    headers = {"X-Experience-API-Version": "1.0.3",
               "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}
    authority = basic_auth.Principal(key, "bench", frozenset({"all"})).authority(app.config["BASE_URL"])
    ceilings = {"COPY": via_copy, "pipelined INSERT … VALUES": via_pipeline} \
        if database(app).engine.dialect.name == "postgresql" else {"Core executemany": via_core}
    results = []
    for batch in batches:
        total = min(count, 600) if batch == 1 else count
        post_rates: list[float] = []
        ceiling_rates: dict[str, list[float]] = {name: [] for name in ceilings}
        for _ in range(rounds):  # interleaved, so that load changes on a shared machine hit every way alike
            clear(app)
            post_rates.append(via_post(app, headers, make_statements(total), batch))
            for name, way in ceilings.items():
                clear(app)
                ceiling_rates[name].append(way(app, make_statements(total), batch, authority))
        results.append((batch, statistics.median(post_rates),
                        {name: (statistics.median(rates),
                                statistics.median(post / rate for post, rate in zip(post_rates, rates, strict=True)))
                         for name, rates in ceiling_rates.items()}))
    return results


def drop_schema(base_url: str, schema: str) -> None:
    engine = create_engine(base_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--statements", type=int, default=3000)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--batches", default=",".join(map(str, BATCHES)), help="batch sizes, comma-separated")
    parser.add_argument("--postgres-only", action="store_true", help="skip SQLite")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved runs of each way (the median is kept)")
    args = parser.parse_args()
    batches = tuple(int(b) for b in args.batches.split(","))
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from bench.launch import postgres_url

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        targets = [] if args.postgres_only else [("SQLite (WAL)", f"sqlite:///{Path(tmp) / 'ingest.db'}")]
        try:
            targets.append(("PostgreSQL", postgres_url(args.postgres)))
        except Exception as error:  # no PostgreSQL here: say so, measure the rest
            print(f"(PostgreSQL skipped: {error.__class__.__name__})")
        for name, url in targets:
            app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(Path(tmp) / name.split()[0]),
                              "BASE_URL": "https://passeport.example.org"})
            prepare(app)
            load = Path("/proc/loadavg").read_text().split()[:3]
            rows += [(name, *result) for result in measure(app, args.statements, batches, args.rounds)]
            print(f"{name}: load average {' '.join(load)} before, "
                  f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])} after")
            database(app).engine.dispose()
            if "%3D" in url:  # the schema postgres_url made for this run
                drop_schema(args.postgres, url.rsplit("%3D", 1)[1])
    print(f"\n{args.statements} statements per run (600 for batches of 1), median of {args.rounds}, one core, "
          f"{time.strftime('%Y-%m-%d')}\n")
    print("| database | batch | POST statements/s | ceiling | ceiling rows/s | POST / ceiling | per-round ratio |")
    print("|---|---:|---:|---|---:|---:|---:|")
    for name, batch, post, ceilings in rows:
        for ceiling, (rate, ratio) in ceilings.items():
            print(f"| {name} | {batch} | {post:,.0f} | {ceiling} | {rate:,.0f} | {post / rate:.0%} | {ratio:.0%} |")


if __name__ == "__main__":
    main()
