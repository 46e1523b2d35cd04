"""The launch round trip in CPU instructions: the same ratios as ``bench/launch.py``, without the machine's noise.

On a shared 2-vCPU machine, wall and CPU times of the same code move by 10–25 % between runs minutes apart,
more than most single changes to the hot path. Valgrind's callgrind counts the instructions this process
executes, which do not depend on what else the machine runs: the same code gives the same count (two runs
agree within 0.1 %). Each tool (the pylti1p3 example peer, Passeport on SQLite, Passeport on PostgreSQL) runs
in its own process under callgrind, which counts only its ``--count`` round trips after a warm-up: start-up
and RSA key generation (whose prime search varies by hundreds of millions of instructions) stay uncounted.

What it leaves out: time in the kernel (SQLite's writes, sockets) and in the PostgreSQL server, which is
another process. On PostgreSQL the count is the client's share only; ``bench/launch.py`` times the rest.

    python bench/launch_instructions.py [--count 50] [--postgres URL]

Needs valgrind (Debian's ``valgrind`` package). Runs two processes at a time; about 3 minutes.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOOLS = {"example": "pylti1p3 Flask example (in-memory cache)", "sqlite": "Passeport, SQLite (WAL)",
         "postgresql": "Passeport, PostgreSQL"}
WARM_UP = 50


def run_round_trips(tool: str, count: int, postgres: str) -> None:
    """The measured process: set up one tool and its platform, warm up, then ``count`` round trips."""
    from bench import pylti1p3_example_tool
    from bench.launch import drop_schema, passeport_app, platform_and_example_keys, postgres_url, round_trip
    from lti_tool import database
    from tests.peers.http import LiveServer

    platform, port, private_pem, public_pem = platform_and_example_keys()
    with LiveServer(platform.app, port), tempfile.TemporaryDirectory() as tmp:
        url = None
        if tool == "example":
            app = pylti1p3_example_tool.build(Path(tmp), platform, private_pem, public_pem)
        else:
            url = postgres_url(postgres) if tool == "postgresql" else f"sqlite:///{Path(tmp) / 'bench.db'}"
            app = passeport_app(platform, url, Path(tmp) / "instance")
        platform_client = platform.app.test_client()
        follow = tool != "example"
        for i in range(WARM_UP):
            round_trip(platform_client, app.test_client(), f"warm-{i}", follow)
        _instrument("on")
        for i in range(count):
            round_trip(platform_client, app.test_client(), f"learner-{i}-{uuid.uuid4().hex[:8]}", follow)
        _instrument("off")
        if tool == "postgresql":
            database(app).dispose()
            drop_schema(postgres, url)


def _instrument(state: str) -> None:
    """Start or stop callgrind's counting in this process (it starts off: set-up and key generation vary)."""
    subprocess.run(["callgrind_control", "--instr=" + state, str(os.getpid())], check=True, capture_output=True)


def instructions(tool: str, count: int, postgres: str) -> int:
    """Instructions callgrind counted in ``count`` round trips (tool, platform peer and the JWKS it serves)."""
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null",
               sys.executable, __file__, "--child", tool, "--count", str(count), "--postgres", postgres]
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ | {"PYTHONHASHSEED": "0"},
                          cwd=ROOT)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or not found:
        raise RuntimeError(f"{tool} × {count} failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=50, help="round trips counted per tool")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--child", choices=TOOLS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_round_trips(args.child, args.count, args.postgres)
        return
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    with ThreadPoolExecutor(max_workers=2) as pool:
        counted = pool.map(lambda tool: instructions(tool, args.count, args.postgres), TOOLS)
        per_round_trip = {tool: total / args.count for tool, total in zip(TOOLS, counted, strict=True)}
    example = per_round_trip["example"]
    print(f"\nInstructions per launch round trip (callgrind, {args.count} round trips per tool after {WARM_UP} "
          f"to warm up)\n")
    print("| tool | million instructions | × example |")
    print("|---|---:|---:|")
    for tool, label in TOOLS.items():
        print(f"| {label} | {per_round_trip[tool] / 1e6:.2f} | {example / per_round_trip[tool]:.3f} |")


if __name__ == "__main__":
    main()
