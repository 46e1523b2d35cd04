"""GET /xapi/statements at scale: generate millions of statements into PostgreSQL by COPY, then time filtered pages.

The generated statements look like a training centre's year: many learners (account agents), 18 modules of
sections and quiz questions, a dozen verbs, one registration per learner and module, context activities
(parent module, course grouping, category), a few statements voided and a few referring to others.
Rows are built by the LRS's own code (``statement_row``, ``index_rows``) and written with COPY, so the
stored data is what ``POST /xapi/statements`` would store.

Then, through the WSGI app in-process (auth, query, JSON out), pages of 100 are read, filtered by agent,
by activity (with and without related_activities), by verb, by registration, with since, and by following
``more`` from each filter's first page; p50/p95 per page over many requests with varied values. The
plans of one query of each kind are printed with EXPLAIN ANALYZE.

    python bench/xapi_queries.py --statements 5000000            # load into a fresh schema, then query
    python bench/xapi_queries.py --schema bench_xxxxxxxx         # query an already loaded schema again
    python bench/xapi_queries.py --schema bench_xxxxxxxx --statements N --finish   # a load stopped at N
"""
from __future__ import annotations

import argparse
import base64
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from lti_tool import create_app, database, prepare  # noqa: E402
from xapi import basic_auth  # noqa: E402
from xapi.store import StatementQuery, index_rows, inherit, iso, page_query, statement_row  # noqa: E402
from xapi.store import prepare as prepare_statement  # noqa: E402

BASE = "https://passeport.example.org"
VERBS = [f"http://adlnet.gov/expapi/verbs/{v}" for v in (
    "experienced", "attempted", "answered", "completed", "passed", "failed", "launched", "initialized",
    "terminated", "suspended", "resumed", "progressed")]
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
COLUMNS = {
    "xapi_statements": ("id", "stored", "timestamp", "verb_id", "registration", "object_statement_id", "voided",
                        "is_voiding", "authority_key", "document"),
    "xapi_statement_activities": ("statement_id", "activity_id", "role", "stored"),
    "xapi_statement_agents": ("statement_id", "agent_key", "role", "stored"),
}
LEARNERS_PER_STATEMENT = 1 / 50  # 5 M statements: 100,000 learners


class World:
    """The population statements are drawn from (seeded: the same world on every run)."""

    def __init__(self, statements: int, seed: int = 12):
        self.random = random.Random(seed)
        self.learners = max(100, int(statements * LEARNERS_PER_STATEMENT))
        self.modules = [f"{BASE}/modules/m{m}" for m in range(18)]
        self.sections = {m: [f"{m}/sections/s{s}" for s in range(12)] + [f"{m}/quiz/q{q}" for q in range(40)]
                         for m in self.modules}
        self.courses = [f"{BASE}/courses/c{c}" for c in range(200)]

    def agent(self, learner: int) -> dict:
        return {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": f"l{learner}"}}

    def registration(self, learner: int, module: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{learner} {module}"))

    def statement(self, learner: int) -> dict:
        module = self.random.choice(self.modules)
        target = self.random.choice(self.sections[module])
        return {
            "id": str(uuid.UUID(int=self.random.getrandbits(128), version=4)),
            "actor": self.agent(learner),
            "verb": {"id": self.random.choice(VERBS), "display": {"en": "did"}},
            "object": {"objectType": "Activity", "id": target,
                       "definition": {"type": "http://adlnet.gov/expapi/activities/lesson",
                                      "name": {"fr": "Section", "en": "Section"}}},
            "context": {"registration": self.registration(learner, module), "language": "fr",
                        "platform": "Passeport",
                        "contextActivities": {"parent": [{"id": module}],
                                              "grouping": [{"id": self.courses[learner % len(self.courses)]}],
                                              "category": [{"id": f"{BASE}/profile"}]}},
            "result": {"completion": True, "duration": "PT42.5S"},
            "timestamp": "2026-11-20T10:00:00.000Z",
        }


def load(app, count: int, chunk: int = 20_000) -> float:
    """COPY ``count`` statements (0.5 % voiding an earlier one, 0.5 % referring to one); seconds taken."""
    world = World(count)
    authority = {"objectType": "Agent", "name": "bench", "mbox": "mailto:bench@passeport.example.org"}
    start = datetime(2026, 1, 1, tzinfo=UTC)
    earlier: list[str] = []
    began = time.perf_counter()
    with database(app).engine.connect() as sa_connection:
        connection = sa_connection.connection.driver_connection
        connection.commit()
        for first in range(0, count, chunk):
            prepared = []
            for n in range(first, min(first + chunk, count)):
                statement = world.statement(world.random.randrange(world.learners))
                if earlier and n % 200 == 0:
                    statement["verb"] = {"id": VOIDED, "display": {"en": "voided"}}
                    statement["object"] = {"objectType": "StatementRef", "id": earlier.pop()}
                elif earlier and n % 200 == 100:
                    statement["object"] = {"objectType": "StatementRef", "id": world.random.choice(earlier)}
                elif n % 97 == 0:
                    earlier.append(statement["id"])
                stored = iso(start + timedelta(seconds=n * 6.3))  # 5 M statements over a year
                prepared.append(prepare_statement(statement, authority, stored))
            rows = [statement_row(s) for s in prepared]
            activity_rows, agent_rows, definitions = index_rows(prepared, [row["stored"] for row in rows])
            with connection.transaction(), connection.cursor() as cursor:
                for table, table_rows in (("xapi_statements", rows), ("xapi_statement_activities", activity_rows),
                                          ("xapi_statement_agents", agent_rows)):
                    columns = COLUMNS[table]
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in table_rows:
                            copy.write_row([row[c] for c in columns])
            print(f"  {first + len(prepared):,} statements loaded ({time.perf_counter() - began:.0f} s)",
                  flush=True)
    finish(app)
    return time.perf_counter() - began


def finish(app) -> None:
    """What POST does beyond the rows COPY wrote: voiding, and each StatementRef's copy of what its chain leads
    to; then statistics. (Also run on its own to finish a load that was stopped part way, --finish.)"""
    began = time.perf_counter()
    with database(app).engine.connect() as sa_connection:  # statistics first: the copies join on them
        sa_connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "ANALYZE xapi_statements, xapi_statement_activities, xapi_statement_agents, xapi_statement_targets")
    with database(app).begin() as sa_connection:
        sa_connection.exec_driver_sql("UPDATE xapi_statements SET voided = true WHERE id IN"
                                      " (SELECT object_statement_id FROM xapi_statements WHERE is_voiding)")
        referring = list(sa_connection.exec_driver_sql("SELECT id FROM xapi_statements s WHERE object_statement_id"
                                                       " IS NOT NULL AND NOT EXISTS (SELECT FROM xapi_statement_targets"
                                                       " t WHERE t.statement_id = s.id)").scalars())
        for first in range(0, len(referring), 5000):
            inherit(sa_connection, referring[first:first + 5000], fresh=True)
    print(f"  voided, and {len(referring):,} StatementRefs inherited their targets' keys "
          f"({time.perf_counter() - began:.0f} s)", flush=True)
    with database(app).engine.connect() as sa_connection:
        connection = sa_connection.connection.driver_connection
        connection.commit()
        connection.autocommit = True
        for table in ("xapi_statements", "xapi_statement_activities", "xapi_statement_agents",
                      "xapi_statement_targets"):
            connection.execute(f"VACUUM ANALYZE {table}")
        connection.autocommit = False
    print(f"  vacuumed and analysed ({time.perf_counter() - began:.0f} s)", flush=True)


def queries(count: int, rounds: int) -> dict[str, list[dict]]:
    """Query parameters per kind, drawn from the generated world."""
    world, pick = World(count), random.Random(7)
    since = iso(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=count * 6.3 * 0.9))

    def agent() -> str:
        return orjson.dumps(world.agent(pick.randrange(world.learners))).decode()

    return {
        "agent": [{"agent": agent()} for _ in range(rounds)],
        "activity": [{"activity": pick.choice(world.sections[pick.choice(world.modules)])} for _ in range(rounds)],
        "activity + related_activities": [{"activity": pick.choice(world.modules), "related_activities": "true"}
                                          for _ in range(rounds)],
        "verb": [{"verb": pick.choice(VERBS)} for _ in range(rounds)],
        "registration": [{"registration": world.registration(pick.randrange(world.learners),
                                                             pick.choice(world.modules))} for _ in range(rounds)],
        "since (last 10 %)": [{"since": since} for _ in range(rounds)],
        "agent + verb": [{"agent": agent(), "verb": pick.choice(VERBS)} for _ in range(rounds)],
        "no filter": [{} for _ in range(rounds)],
    }


def timed_pages(client, headers, params_list: list[dict], pages: int) -> tuple[list[float], list[float], int]:
    """(first-page times, `more`-page times, statements returned) in ms."""
    first, following, returned = [], [], 0
    for params in params_list:
        url = "/xapi/statements?" + urlencode({**params, "limit": 100})
        for page in range(pages):
            began = time.perf_counter()
            response = client.get(url, headers=headers)
            elapsed = (time.perf_counter() - began) * 1000
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            body = response.get_json()
            returned += len(body["statements"])
            (first if page == 0 else following).append(elapsed)
            if not body["more"]:
                break
            url = body["more"]
    return first, following, returned


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else (values[0] if values else 0.0)


def explain(app, params: dict) -> str:
    """EXPLAIN ANALYZE of the page query the LRS runs for these parameters."""
    agent = params.get("agent")
    from xapi.agents import agent_key

    q = StatementQuery(agent=agent_key(orjson.loads(agent)) if agent else None, verb=params.get("verb"),
                       activity=params.get("activity"), registration=params.get("registration"),
                       related_activities=params.get("related_activities") == "true",
                       since=datetime.fromisoformat(params["since"].replace("Z", "+00:00"))
                       if "since" in params else None, limit=100)
    with database(app).engine.connect() as connection:
        statement, params = page_query(q)
        compiled = statement.compile(dialect=connection.dialect)
        plan = connection.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF) " + str(compiled),
                                          compiled.construct_params(params))
        return "\n".join(row[0] for row in plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=5_000_000)
    parser.add_argument("--schema", help="query this already loaded schema (same --statements) instead of loading")
    parser.add_argument("--finish", action="store_true",
                        help="with --schema: first finish a load that was stopped part way (voiding, StatementRefs)")
    parser.add_argument("--rounds", type=int, default=40, help="requests per kind (each then follows `more`)")
    parser.add_argument("--pages", type=int, default=5, help="pages read per request through `more`")
    parser.add_argument("--plans", action="store_true", help="print EXPLAIN ANALYZE of one query per kind")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from bench.launch import postgres_url

    url = f"{args.postgres}?options=-csearch_path%3D{args.schema}" if args.schema else postgres_url(args.postgres)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tmp, "BASE_URL": BASE})
        prepare(app)
        if args.schema and args.finish:
            finish(app)
        if not args.schema:
            print(f"loading {args.statements:,} statements into {url.rsplit('%3D', 1)[-1]} …", flush=True)
            print(f"loaded in {load(app, args.statements):.0f} s", flush=True)
        with database(app).begin() as connection:
            key, secret = basic_auth.add(connection, "bench", ["all"])
        headers = {"X-Experience-API-Version": "1.0.3",
                   "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}
        client = app.test_client()
        kinds = queries(args.statements, args.rounds)
        timed_pages(client, headers, kinds["no filter"][:3], 2)  # warm-up
        print(f"\nload average before queries: {Path('/proc/loadavg').read_text().strip()}")
        print(f"\n{args.statements:,} statements, pages of 100, {args.rounds} requests per kind, each followed "
              f"through `more` for up to {args.pages} pages, one core, {time.strftime('%Y-%m-%d')}\n")
        print("| filter | first page p50 ms | first page p95 ms | `more` pages p50 ms | `more` pages p95 ms |"
              " statements returned |")
        print("|---|---:|---:|---:|---:|---:|")
        for kind, params_list in kinds.items():
            first, following, returned = timed_pages(client, headers, params_list, args.pages)
            print(f"| {kind} | {statistics.median(first):.1f} | {p95(first):.1f} | "
                  f"{statistics.median(following) if following else 0:.1f} | {p95(following):.1f} | {returned:,} |",
                  flush=True)
        print(f"\nload average after queries: {Path('/proc/loadavg').read_text().strip()}")
        if args.plans:
            for kind, params_list in kinds.items():
                print(f"\n### {kind}\n```\n{explain(app, params_list[0])}\n```")


if __name__ == "__main__":
    main()
