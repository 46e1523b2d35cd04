"""Trainer dashboard latency on a large PostgreSQL data set: grid page, learner detail, CSV export.

Generates (COPY, in a dedicated schema) 4,000 courses of 50 learners each
(200,000 learners), progress on the 18 modules (each learner has begun a random
number of them, some read, some failed, some passed), submitted quiz attempts with
real question ids and answers, module and passport awards. Then, through the
WSGI app in-process with a trainer's session (routing, queries, grading of the
learner's attempts, template rendering, CSV encoding), requests random courses:

  * the grid's first page (25 learners × 18 modules, default sort),
  * the grid filtered "stuck" and searched by name,
  * a learner's detail,
  * the CSV export of the course's grid (50 learners × 18 rows).

Prints p50/p95/max per request and the query plans of the grid and detail queries.

    python bench/dashboards.py [--courses 4000] [--learners 50] [--requests 300] [--reuse] [--schema NAME]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from lti_tool import create_app, database, prepare, services  # noqa: E402
from lti_tool.domain import course_report as report  # noqa: E402

POSTGRES = os.environ.get("PASSEPORT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ISSUER = "https://lms.bench.example.org"
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def schema_url(schema: str) -> str:
    return f"{POSTGRES}?options={quote(f'-csearch_path={schema}')}"


def fresh_schema(schema: str) -> None:
    engine = sa.create_engine(POSTGRES)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()


class Plan:
    """One learner's history, drawn from a generator seeded by their id: every pass over it sees the same."""

    def __init__(self, app):
        catalogue = services.catalogue(app)
        self.modules = catalogue.modules
        self.banks = {m.id: {q: [c["id"] for c in question["choices"]]
                             for q, question in sorted(catalogue.quiz(m.folder, "fr").items())} for m in self.modules}
        self.sections = {m.id: [s["id"] for s in m.sections] for m in self.modules}
        self.rule = catalogue.passport_rule

    def learner(self, user_id: int):
        """(module id, sections read, status, scores, last activity) for each module begun."""
        rng = random.Random(user_id)
        for module in rng.sample(self.modules, rng.randint(0, len(self.modules))):
            ids = self.sections[module.id]
            read = ids[:rng.randint(1, len(ids))]
            done = len(read) == len(ids)
            seen = NOW - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600))
            scores = [rng.randint(0, 10) / 10 for _ in range(rng.randint(0, 3) if done else 0)]
            best = max(scores) if scores else None
            status = ("passed" if best is not None and best >= self.rule.pass_mark else "failed" if scores
                      else "completed" if done else "in_progress")
            yield module.id, read, status, scores, seen, rng


def generate(app, courses: int, per_course: int) -> dict[str, int]:
    """COPY the data set, table by table (one COPY at a time per connection); returns the row counts."""
    plan = Plan(app)
    counts = dict.fromkeys(("users", "progress", "quiz_attempts", "awards"), 0)
    learners = [(c, (c - 1) * per_course + i + 1) for c in range(1, courses + 1) for i in range(per_course)]
    first_names = ["Alice", "Bruno", "Chloé", "David", "Émilie", "Farid", "Gaëlle", "Hugo", "Inès", "Jules"]
    raw = database(app).engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("INSERT INTO platforms (issuer, client_id, auth_login_url, auth_token_url, jwks_url, created_at)"
                       " VALUES (%s, 'bench', 'x', 'x', 'x', now()) RETURNING id", (ISSUER,))
        platform_id = cursor.fetchone()[0]
        with cursor.copy("COPY contexts (id, platform_id, context_id, title) FROM STDIN") as copy:
            for c in range(1, courses + 1):
                copy.write_row((c, platform_id, f"course-{c}", f"Session {c}"))
        with cursor.copy("COPY users (id, platform_id, sub, name, created_at, last_launch_at) FROM STDIN") as copy:
            for _course, user_id in learners:
                name = f"{first_names[user_id % len(first_names)]} Apprenant{user_id}"
                copy.write_row((user_id, platform_id, f"sub-{user_id}", name, NOW, NOW))
        counts["users"] = len(learners)
        roles = json.dumps(["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"])
        with cursor.copy("COPY memberships (user_id, context_id, role, roles, first_launch_at, last_launch_at) "
                         "FROM STDIN") as copy:
            for course, user_id in learners:
                copy.write_row((user_id, course, "learner", roles, NOW, NOW))
        with cursor.copy("COPY progress (user_id, module_id, context_id, status, sections_viewed, last_section_id, "
                         "best_score, attempts, failed_attempts, time_spent_seconds, last_activity_at, "
                         "completed_at, passed_at) FROM STDIN") as copy:
            for course, user_id in learners:
                for module_id, read, status, scores, seen, rng in plan.learner(user_id):
                    done = status != "in_progress"
                    copy.write_row((user_id, module_id, course, status, json.dumps(read), read[-1],
                                    max(scores) if scores else None, len(scores),
                                    sum(s < plan.rule.pass_mark for s in scores), rng.randint(60, 7200), seen,
                                    seen if done else None, seen if status == "passed" else None))
                    counts["progress"] += 1
        with cursor.copy("COPY quiz_attempts (user_id, module_id, question_ids, status, answers, score, started_at, "
                         "submitted_at) FROM STDIN") as copy:
            for _course, user_id in learners:
                for module_id, _read, _status, scores, seen, rng in plan.learner(user_id):
                    for n, score in enumerate(scores):
                        bank = plan.banks[module_id]
                        drawn = rng.sample(sorted(bank), 10)
                        answers = {q: [rng.choice(bank[q])] for q in drawn}
                        copy.write_row((user_id, module_id, json.dumps(drawn), "submitted", json.dumps(answers),
                                        score, seen - timedelta(hours=n + 1), seen - timedelta(hours=n)))
                        counts["quiz_attempts"] += 1
        with cursor.copy("COPY awards (uid, user_id, kind, module_id, context_id, awarded_at) FROM STDIN") as copy:
            for course, user_id in learners:
                passed = 0
                for module_id, _read, status, _scores, seen, _rng in plan.learner(user_id):
                    if status != "passed":
                        continue
                    passed += 1
                    copy.write_row((str(uuid.uuid4()), user_id, "module", module_id, course, seen))
                    counts["awards"] += 1
                    if passed == plan.rule.min_modules:
                        copy.write_row((str(uuid.uuid4()), user_id, "passport", "", course, seen))
                        counts["awards"] += 1
        for table in ("contexts", "users"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return counts


def trainer_client(app, course: int):
    client = app.test_client()
    with client.session_transaction() as session:
        session["passeport"] = {"user_id": 1, "context_id": course, "issuer": ISSUER, "sub": "trainer",
                                "course": f"course-{course}", "role": "instructor", "launch_id": "bench",
                                "locale": "fr"}
    return client


def timed(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
    return elapsed


def summary(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return f"| {name} | {len(samples)} | {statistics.median(ordered):.1f} | {p95:.1f} | {ordered[-1]:.1f} |"


def plans(app, course: int, user_id: int) -> str:
    out = []
    with database(app).read() as connection:
        grid = report._summaries(course, NOW - timedelta(days=14))  # noqa: SLF001 - the grid's core query
        page = sa.select(grid, sa.func.count().over()).order_by(sa.func.lower(grid.c.name)).limit(25)
        compiled = page.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        out.append("grid page:\n" + "\n".join(r[0] for r in connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")))
        out.append("learner attempts:\n" + "\n".join(r[0] for r in connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM quiz_attempts WHERE user_id = {user_id} "
            "AND status = 'submitted' ORDER BY id")))
    return "\n\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--courses", type=int, default=4000)
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--reuse", action="store_true", help="keep the data set of a previous run")
    parser.add_argument("--schema", default="bench_dashboards", help="PostgreSQL schema of the data set")
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="passeport-bench-")
    if not args.reuse:
        fresh_schema(args.schema)
    app = create_app({"DATABASE_URL": schema_url(args.schema), "INSTANCE_PATH": instance, "BASE_URL": "http://bench.test",
                      "TESTING": True})
    prepare(app)
    if not args.reuse:
        start = time.perf_counter()
        counts = generate(app, args.courses, args.learners)
        print(f"generated {counts} in {time.perf_counter() - start:.0f} s")
    rng = random.Random(11)
    samples: dict[str, list[float]] = {"grid": [], "grid stuck + search": [], "learner detail": [], "csv export": []}
    for n in range(args.requests + 20):
        course = rng.randint(1, args.courses)
        user_id = (course - 1) * args.learners + rng.randint(1, args.learners)
        client = trainer_client(app, course)
        results = {"grid": timed(client, "/trainer/"),
                   "grid stuck + search": timed(client, "/trainer/?filter=stuck&q=a&sort=last_activity&order=desc"),
                   "learner detail": timed(client, f"/trainer/learners/{user_id}"),
                   "csv export": timed(client, "/trainer/export/grid.csv?sep=semicolon")}
        if n >= 20:  # the first requests warm caches (templates, banks, plans)
            for name, value in results.items():
                samples[name].append(value)
    print("| request | n | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|")
    for name, values in samples.items():
        print(summary(name, values))
    print()
    print(plans(app, args.courses // 2, (args.courses // 2 - 1) * args.learners + 7))
    database(app).engine.dispose()


if __name__ == "__main__":
    main()
