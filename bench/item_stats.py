"""Item statistics over 1 M indexed answers: the SQL aggregates behind the staff page and ``content item-stats``.

Fills the item-response index (the table the ``answered`` listener writes beside each statement) with
``--answers`` rows — 18 modules × 32 questions, ten answers per submitted attempt, a rest score per answer —
in bulk (Core executemany; writing 1 M statements through the domain is the ingest benchmark's subject, not
this one), then times ``item_statistics`` for every module and for one module. Median of 3 runs, one core.

    python bench/item_stats.py [--answers 1000000] [--postgres URL] [--no-sqlite] [--no-postgres]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from lti_tool import create_app, database, prepare  # noqa: E402
from lti_tool.domain.item_stats import item_statistics  # noqa: E402
from lti_tool.models import ItemResponse, Platform, User  # noqa: E402

MODULES, QUESTIONS, PER_ATTEMPT, LEARNERS, BATCH = 18, 32, 10, 5000, 20_000


def fill(app, answers: int) -> None:
    rng = random.Random(1)
    moment = datetime(2026, 11, 20, tzinfo=UTC)
    with database(app).begin() as connection:
        platform_id = connection.execute(insert(Platform).values(
            issuer="https://lms.example.org", client_id="c", auth_login_url="u", auth_token_url="u",
            jwks_url="u").returning(Platform.id)).scalar_one()
        connection.execute(insert(User), [{"platform_id": platform_id, "sub": f"s{i}"} for i in range(LEARNERS)])
        first_user = connection.execute(sa.select(sa.func.min(User.id))).scalar_one()
    rows: list[dict] = []
    for attempt in range(answers // PER_ATTEMPT):
        module = f"m{attempt % MODULES:02d}"
        ability = rng.random()
        picks = rng.sample(range(QUESTIONS), PER_ATTEMPT)
        right = [rng.random() < 0.3 + 0.6 * ability * (q % 7 + 1) / 7 for q in picks]
        for q, correct in zip(picks, right, strict=True):
            rows.append({"attempt_id": attempt, "user_id": first_user + attempt % LEARNERS, "context_id": None,
                         "module_id": module, "question_id": f"q{q:02d}", "response": "b" if correct else "a",
                         "correct": int(correct), "rest_score": (sum(right) - correct) / (PER_ATTEMPT - 1),
                         "answered_at": moment})
        if len(rows) >= BATCH:
            _flush(app, rows)
    _flush(app, rows)


def _flush(app, rows: list[dict]) -> None:
    if not rows:
        return
    with database(app).begin() as connection:
        connection.execute(insert(ItemResponse), rows)
    rows.clear()


def timed(call) -> float:
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        call()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def run(name: str, url: str, answers: int) -> None:
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance, "BASE_URL": "http://127.0.0.1:5000"})
        prepare(app)
        start = time.perf_counter()
        fill(app, answers)
        filled = time.perf_counter() - start
        with database(app).read() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("VACUUM ANALYZE item_responses")  # as autovacuum would
            items = len(item_statistics(connection))
            every = timed(lambda: item_statistics(connection))
            one = timed(lambda: item_statistics(connection, "m05"))
        database(app).engine.dispose()
    print(f"{name}: {answers:,} answers ({filled:.0f} s to fill), {items} items — "
          f"every module {every * 1000:.0f} ms, one module {one * 1000:.0f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=os.environ.get("PASSEPORT_TEST_POSTGRES_URL",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            run("SQLite", f"sqlite:///{folder}/bench.db", args.answers)
    if args.no_postgres:
        return
    schema = "bench_" + uuid.uuid4().hex[:8]
    engine = sa.create_engine(args.postgres)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except sa.exc.OperationalError as error:
        print(f"PostgreSQL skipped: {error.__class__.__name__}")
        return
    try:
        separator = "&" if "?" in args.postgres else "?"
        run("PostgreSQL", f"{args.postgres}{separator}options={quote(f'-csearch_path={schema}')}", args.answers)
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


if __name__ == "__main__":
    main()
