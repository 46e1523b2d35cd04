"""LTI 1.3 launch round trips per second: Passeport beside a pylti1p3 example tool, same platform, same run.

A round trip is what a learner's click costs the tool: the platform starts the
OIDC login, the tool redirects to the platform, the platform signs an id_token,
the tool validates it and shows the first page. Passeport also records the launch
and the page view as learning events (projection + xAPI statement + outbox, one
transaction each); the "without statements" row removes those listeners to show
their share (it is not a configuration anyone runs). Everything runs in this process
on one core (Flask test clients for the tools and the platform); the platform's
JWKS is served over loopback HTTP, as tools fetch it.

    python bench/launch.py [--launches 400] [--postgres URL]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from bench import pylti1p3_example_tool  # noqa: E402
from lti_tool import create_app, database, prepare, services  # noqa: E402
from lti_tool.domain.registrations import PlatformSettings, register_platform  # noqa: E402
from tests.peers.http import LiveServer, free_port  # noqa: E402
from tests.peers.lti_platform import PeerPlatform  # noqa: E402

TOOL_URL = "http://tool.bench"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def round_trip(platform_client, tool_client, user: str, follow_redirect: bool) -> None:
    start = platform_client.get("/start", query_string={"user": user})
    login = tool_client.get(_path(start.headers["Location"]))
    assert login.status_code == 302, login.get_data(as_text=True)[:300]
    form = platform_client.get(_path(login.headers["Location"])).get_json()
    launched = tool_client.post(_path(form["launch_url"]), data={"id_token": form["id_token"], "state": form["state"]})
    if follow_redirect and launched.status_code == 303:
        launched = tool_client.get(_path(launched.headers["Location"]))
    assert launched.status_code == 200, launched.get_data(as_text=True)[:500]


def measure(name: str, platform, tool_app, launches: int, follow_redirect: bool) -> dict:
    """Each launch comes from a new browser (a fresh cookie jar), as learners do."""
    platform_client = platform.app.test_client()
    for i in range(20):  # warm-up: imports, caches, first JWKS fetch
        round_trip(platform_client, tool_app.test_client(), f"warm-{i}", follow_redirect)
    latencies = []
    began = time.perf_counter()
    for i in range(launches):
        t0 = time.perf_counter()
        round_trip(platform_client, tool_app.test_client(), f"learner-{uuid.uuid4().hex[:8]}-{i}", follow_redirect)
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "tool": name,
        "per_second": launches / elapsed,
        "median_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def passeport_app(platform, database_url: str, instance: Path):
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "BASE_URL": TOOL_URL})
    prepare(app)
    with database(app).session() as db:
        register_platform(db, PlatformSettings(platform.issuer, platform.client_id, platform.url + "/auth",
                                               platform.url + "/token", platform.url + "/jwks",
                                               (platform.deployment_id,)))
    return app


def postgres_url(base: str) -> str:
    import sqlalchemy as sa

    schema = "bench_" + uuid.uuid4().hex[:8]
    engine = sa.create_engine(base)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    return f"{base}?options=-csearch_path%3D{schema}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--launches", type=int, default=400)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    platform = PeerPlatform(TOOL_URL)
    port = free_port()
    platform.url = f"http://127.0.0.1:{port}"
    results = []
    with LiveServer(platform.app, port), tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        example = pylti1p3_example_tool.build(tmp, platform, private_pem, public_pem)
        results.append(measure("pylti1p3 Flask example (in-memory cache)", platform, example, args.launches, False))
        sqlite_app = passeport_app(platform, f"sqlite:///{tmp / 'bench.db'}", tmp / "instance-sqlite")
        results.append(measure("Passeport, SQLite (WAL)", platform, sqlite_app, args.launches, True))
        quiet_app = passeport_app(platform, f"sqlite:///{tmp / 'quiet.db'}", tmp / "instance-quiet")
        services.learning(quiet_app).listeners.clear()
        results.append(measure("Passeport, SQLite, without statements (breakdown only)", platform, quiet_app,
                               args.launches, True))
        try:
            pg_app = passeport_app(platform, postgres_url(args.postgres), tmp / "instance-pg")
            results.append(measure("Passeport, PostgreSQL", platform, pg_app, args.launches, True))
        except Exception as error:  # no PostgreSQL here: report it, keep the rest
            print(f"(PostgreSQL skipped: {error.__class__.__name__}: {error})")

    baseline = results[0]["per_second"]
    print(f"\n{args.launches} launches per tool, one core, {time.strftime('%Y-%m-%d')}\n")
    print("| tool | launches/s | median ms | p99 ms | × example |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['tool']} | {r['per_second']:.0f} | {r['median_ms']:.2f} | {r['p99_ms']:.2f} | "
              f"{r['per_second'] / baseline:.2f} |")


if __name__ == "__main__":
    main()
