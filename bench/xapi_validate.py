"""Statement validation: xapi.validation beside Ralph's pydantic xAPI models, on tests/xapi/corpus.

Measures, single-threaded (one core per process; ``--cpu N`` pins both processes to one CPU), the
validation rate (statements/s: median of 5 runs, each validating the whole corpus, valid and invalid
statements, repeated to last about 2 s, after one untimed warm-up run) and the wrong verdicts (valid
statements rejected + invalid statements accepted).  The ratio column is the median over the rounds
of (rate / Ralph's rate in the same round).

Ralph (PyPI ``ralph-malph``, the openfun/ralph LRS) pins versions that conflict with this project, so
it lives in its own virtualenv, ``bench/.work/ralph-venv`` (created on first use, gitignored); a small
worker runs there and reports its timings and verdicts as JSON.  Ralph's check is
``ralph.models.xapi.base.statements.BaseXapiStatement.model_validate(statement)``: its strict base xAPI
statement model (extra="forbid", non-empty strings, a root validator for empty values and
context.revision/platform), as opposed to the ``LaxStatement`` its API uses to accept anything
statement-shaped.  (pydantic's own strict mode, ``strict=True``, is no option: it refuses the ISO 8601
strings of every timestamp.)  Runs are interleaved (ours, Ralph, ours, ...) so that load changes on a
shared machine hit every validator alike.

Usage: .venv/bin/python bench/xapi_validate.py [--seconds 2] [--runs 5] [--cpu N] [--list]
       [--ralph-spec ralph-malph]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT / "tests" / "xapi" / "corpus"
WORK = HERE / ".work"
RALPH_VENV = WORK / "ralph-venv"

WORKER = r'''
import json, os, sys, time
from importlib.metadata import version

corpus_path, seconds, cpu = sys.argv[1], float(sys.argv[2]), sys.argv[3]
if cpu != "-":
    os.sched_setaffinity(0, {int(cpu)})
import pydantic
from ralph.models.xapi.base.statements import BaseXapiStatement

statements = [case["statement"] for case in json.load(open(corpus_path, encoding="utf-8"))]


def base_statement(statement):
    BaseXapiStatement.model_validate(statement)


CHECKS = {"BaseXapiStatement": (base_statement, statements)}


def verdict(check, item):
    try:
        check(item)
        return "accepted"
    except pydantic.ValidationError:
        return "rejected"
    except Exception as error:  # a crash instead of a 400
        return "crashed: " + type(error).__name__


def one_pass(check, inputs):
    for item in inputs:
        try:
            check(item)
        except Exception:
            pass


repeats = {}
for name, (check, inputs) in CHECKS.items():
    start = time.perf_counter()
    one_pass(check, inputs)
    repeats[name] = max(1, round(seconds / max(time.perf_counter() - start, 1e-9)))
print(json.dumps({"ralph": version("ralph-malph"), "pydantic": version("pydantic"),
                  "python": sys.version.split()[0],
                  "verdicts": {n: [verdict(c, i) for i in inputs] for n, (c, inputs) in CHECKS.items()}}),
      flush=True)
for line in sys.stdin:  # one timed run of the named check per line
    check, inputs = CHECKS[line.strip()]
    start = time.perf_counter()
    for _ in range(repeats[line.strip()]):
        one_pass(check, inputs)
    print(repeats[line.strip()] * len(inputs) / (time.perf_counter() - start), flush=True)
'''


def load_corpus() -> list[dict]:
    cases = []
    for kind in ("valid", "invalid"):
        for path in sorted((CORPUS / kind).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            statement = data if kind == "valid" else data["statement"]
            cases.append({"name": f"{kind}/{path.stem}", "valid": kind == "valid", "statement": statement,
                          "rule": None if kind == "valid" else data["rule"]})
    return cases


def pin_cpu(cpu: str) -> str:
    if cpu != "-":
        os.sched_setaffinity(0, {int(cpu)})
    return cpu


class Local:
    """One of our validators, run in this process."""

    def __init__(self, check, inputs, seconds: float):
        self.check, self.inputs = check, inputs
        start = time.perf_counter()
        self._pass()
        self.repeat = max(1, round(seconds / max(time.perf_counter() - start, 1e-9)))

    def _pass(self):
        for item in self.inputs:
            try:
                self.check(item)
            except Exception:
                pass

    def run(self) -> float:
        start = time.perf_counter()
        for _ in range(self.repeat):
            self._pass()
        return self.repeat * len(self.inputs) / (time.perf_counter() - start)


class Remote:
    """One of Ralph's checks, run by the worker in Ralph's virtualenv."""

    def __init__(self, worker, name: str):
        self.worker, self.name = worker, name

    def run(self) -> float:
        self.worker.stdin.write(self.name + "\n")
        self.worker.stdin.flush()
        return float(self.worker.stdout.readline())


def ours(cases) -> list[str]:
    from xapi.validation import StatementInvalid, validate_statement

    verdicts = []
    for case in cases:
        try:
            validate_statement(case["statement"])
            verdicts.append("accepted")
        except StatementInvalid:
            verdicts.append("rejected")
    return verdicts


def ralph_python(spec: str) -> Path:
    python = RALPH_VENV / "bin" / "python"
    if not python.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        print(f"creating {RALPH_VENV.relative_to(ROOT)} and installing {spec} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(RALPH_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", spec], check=True)
    return python


def start_ralph(cases, seconds: float, cpu: str, spec: str):
    python = ralph_python(spec)
    corpus_file = WORK / "corpus.json"
    corpus_file.write_text(json.dumps([{"statement": c["statement"]} for c in cases]), encoding="utf-8")
    worker = subprocess.Popen([str(python), "-c", WORKER, str(corpus_file), str(seconds), cpu],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    header = json.loads(worker.stdout.readline())
    return worker, header


def wrong(cases, verdicts) -> tuple[list[str], list[str]]:
    rejected = [c["name"] for c, v in zip(cases, verdicts, strict=True) if c["valid"] and v != "accepted"]
    accepted = [c["name"] for c, v in zip(cases, verdicts, strict=True) if not c["valid"] and v == "accepted"]
    return rejected, accepted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="target duration of one run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cpu", default="-", help="pin both processes to this CPU (default: not pinned)")
    parser.add_argument("--ralph-spec", default="ralph-malph", help="pip requirement for the Ralph venv")
    parser.add_argument("--list", action="store_true", help="list every wrong verdict")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from xapi.validation import validate_statement

    cases = load_corpus()
    cpu = pin_cpu(args.cpu)
    statements = [case["statement"] for case in cases]
    raws = [json.dumps(s).encode() for s in statements]
    our_verdicts = ours(cases)
    worker, header = start_ralph(cases, args.seconds, cpu, args.ralph_spec)
    try:
        rows = [
            ("xapi.validation (dict)", Local(validate_statement, statements, args.seconds), our_verdicts),
            ("json.loads + xapi.validation (bytes)",
             Local(lambda raw: validate_statement(json.loads(raw)), raws, args.seconds), our_verdicts),
            (f"Ralph {header['ralph']} BaseXapiStatement.model_validate (dict)",
             Remote(worker, "BaseXapiStatement"), header["verdicts"]["BaseXapiStatement"]),
        ]
        rates = {name: [] for name, _, _ in rows}
        for run in range(args.runs + 1):  # run 0 warms up; runs are interleaved so load drifts hit all alike
            for name, runner, _ in rows:
                rate = runner.run()
                if run:
                    rates[name].append(rate)
    finally:
        worker.stdin.close()
        worker.wait()

    medians = {name: statistics.median(values) for name, values in rates.items()}
    reference = rates[rows[2][0]]
    # ratio: median over the runs of (this validator's rate / Ralph's rate in the same round)
    ratios = {name: statistics.median(r / ref for r, ref in zip(values, reference, strict=True))
              for name, values in rates.items()}
    valid = sum(c["valid"] for c in cases)
    print(f"corpus: {len(cases)} statements ({valid} valid, {len(cases) - valid} invalid); "
          f"{'CPU ' + cpu if cpu != '-' else 'one thread per process, not pinned'}; "
          f"Python {sys.version.split()[0]} (ours), {header['python']} + pydantic {header['pydantic']} (Ralph); "
          f"median of {args.runs} interleaved runs of ~{args.seconds:g} s after a warm-up run\n")
    print("| validator | statements/s | wrong verdicts (valid rejected / invalid accepted) "
          "| ratio (vs Ralph, per round) |")
    print("|---|---:|---|---:|")
    details = []
    for name, _, verdicts in rows:
        rejected, accepted = wrong(cases, verdicts)
        crashed = [c["name"] for c, v in zip(cases, verdicts, strict=True) if v.startswith("crashed")]
        print(f"| {name} | {medians[name]:,.0f} | {len(rejected) + len(accepted)} "
              f"({len(rejected)} / {len(accepted)}) | {ratios[name]:.1f}× |")
        details.append((name, rejected, accepted, crashed))
    print()
    print("runs (statements/s): " + "; ".join(
        f"{name.split(' (')[0]}: " + ", ".join(f"{r:,.0f}" for r in values) for name, values in rates.items()))
    print()
    for name, rejected, accepted, crashed in details:
        if not (rejected or accepted or crashed):
            continue
        print(f"{name}:")
        limit = None if args.list else 12
        for label, names in (("valid rejected", rejected), ("invalid accepted", accepted),
                             ("crashed (not a ValidationError)", crashed)):
            if names:
                shown = names[:limit]
                more = f" … (+{len(names) - len(shown)})" if len(shown) < len(names) else ""
                print(f"  {label} ({len(names)}): {', '.join(n.split('/', 1)[1] for n in shown)}{more}")
        print()


if __name__ == "__main__":
    main()
