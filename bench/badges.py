"""Credential signing and verification per second, and /verify latency, on one core.

  * sign: build + sign a passport credential with an embedded eddsa-rdfc-2022 proof
    (openbadgeslib + pyld), and as a VC-JWT (EdDSA);
  * verify: the same credentials through Passeport's verifier (issuer, proof, status in the database),
    cold (proof checked) and warm (the proof result of identical bytes remembered; status still read);
  * /verify: GET /verify/<id> (the page a QR code opens) and POST /api/verify, in-process, warm.

    python bench/badges.py [--rounds 50]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lti_tool import create_app, database, prepare, services  # noqa: E402
from lti_tool.badges.credentials import AwardView, EarnedModule  # noqa: E402
from lti_tool.demo.seed import demo_cli  # noqa: E402


def timed(function, rounds: int) -> list[float]:
    function()  # warm: contexts loaded, keys parsed
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        function()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def row(name: str, samples: list[float]) -> str:
    samples = sorted(samples)
    median, p95 = statistics.median(samples), samples[int(len(samples) * 0.95) - 1]
    return f"| {name} | {median:.2f} | {p95:.2f} | {1000 / median:,.0f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/b.db", "INSTANCE_PATH": f"{tmp}/i",
                          "BASE_URL": "https://passeport.example.org"})
        prepare(app)
        runner = app.test_cli_runner()
        output = runner.invoke(demo_cli, ["seed"]).output
        uid = output.split("/verify/")[1].split()[0]
        badges, verifier = services.badges(app), services.verifier(app)
        catalogue = services.catalogue(app)
        view = AwardView(uid=uid, kind="passport", module=None, awarded_at=datetime.now(UTC),
                         status_index=4, lti_user="https://lms.example.org|learner",
                         passed=tuple(EarnedModule(m, 0.9, date.today(), None) for m in catalogue.modules[:3]))
        with database(app).begin() as connection:
            credential = badges.factory.build(view)
            document, token = badges.factory.sign(connection, credential)
            award = lambda u: badges.award(connection, u)  # noqa: E731
            rows = [
                row("sign, Data Integrity eddsa-rdfc-2022",
                    timed(lambda: badges.factory.sign(connection, credential), args.rounds)),
                row("verify, Data Integrity (cold: proof checked)", timed(
                    lambda: verifier._proofs.clear() or verifier.verify(connection, document, award), args.rounds)),
                row("verify, VC-JWT (cold)", timed(
                    lambda: verifier._proofs.clear() or verifier.verify(connection, token, award), args.rounds)),
                row("verify, Data Integrity (warm: proof remembered)", timed(
                    lambda: verifier.verify(connection, document, award), args.rounds)),
            ]
        client = app.test_client()
        rows.append(row("GET /verify/<id> (page)", timed(lambda: client.get(f"/verify/{uid}"), args.rounds)))
        rows.append(row("POST /api/verify {url}", timed(
            lambda: client.post("/api/verify", json={"url": f"/verify/{uid}"}), args.rounds)))
        rows.append(row("POST /api/verify {jwt}", timed(
            lambda: client.post("/api/verify", json={"jwt": token}), args.rounds)))
    print(f"\n{args.rounds} rounds each, one core, {time.strftime('%Y-%m-%d')}\n")
    print("| operation | median ms | p95 ms | per second |")
    print("|---|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
