"""Time ``bp2 trace check`` and ``bp2 trace matrix --format html`` on synthetic design histories,
side by side with Doorstop on the same items.

Usage::

    .venv/bin/python benchmarks/trace_bench.py [--sizes 2000 20000] [--repeats 3]
        [--doorstop-size 2000] [--doorstop-repeats 1] [--no-doorstop]

For each size N it writes, under ``benchmarks/work/trace-N/`` (git-ignored), a design history of
N linked items — 12.5 % user needs, 47.5 % software requirements (one or two reviewed parent
links each), 25 % hazards (two controls each), 10 % validation protocols, 5 % anomalies — with
code declaring ``IMPLEMENTS`` for every requirement, test files with ``verifies`` markers, and a
bp2 results file with 5·N test results (mostly passed, some failed or skipped, so there are
findings to print).  It then times, as whole commands (process start-up included), both through
the ``bp2`` command and through ``python -m bp2.trace`` (the same commands without the
pipeline's start-up):

* ``trace check --root DIR`` (exit 1 is expected: the synthetic set has failing tests);
* ``trace matrix --format html --out FILE --root DIR``;

and, for the Doorstop size, the same items as a Doorstop tree (documents UN ← SRS ← HAZ,
UN ← VAL, SRS ← ANOM):

* ``doorstop`` (load and validate the tree, the equivalent of ``trace check``);
* ``doorstop publish all DIR`` (HTML, the equivalent of the matrix).

Each command runs once to warm up (file cache, compiled modules, bp2's content cache; Doorstop
stamps its review fingerprints on that run) and then ``--repeats`` times; the median wall time,
the median CPU time and the peak resident memory of the process (``wait4`` rusage) are
reported, with the machine's load average, and written to ``benchmarks/results/trace.json``.
Goal (SRS-049): check + matrix ≤ 1 s for 2,000 items and ≤ 5 s for 20,000.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "benchmarks" / "work"
RESULTS = REPO / "benchmarks" / "results" / "trace.json"
BIN = Path(sys.executable).parent
GOALS = {2000: 1.0, 20000: 5.0}
# As users run it: Python may cache compiled modules (this workplace sets
# PYTHONDONTWRITEBYTECODE, which makes every start-up recompile bp2's modules).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

sys.path.insert(0, str(REPO / "src"))
from bp2.trace.fingerprint import fingerprint  # noqa: E402
from bp2.trace.items import SoftwareRequirement, UserNeed  # noqa: E402
from bp2.trace.results import TestResult, build_results_file, tree_identity  # noqa: E402

STAMP = {"reviewed_by": "Bench Reviewer", "reviewed_at": "2025-01-01T00:00:00Z"}


def _counts(n: int) -> dict[str, int]:
    un, srs, haz, val = n // 8, n * 19 // 40, n // 4, n // 10
    return {"UN": un, "SRS": srs, "HAZ": haz, "VAL": val, "ANOM": n - un - srs - haz - val}


def _ids(kind: str, count: int) -> list[str]:
    if count > 9999:
        raise SystemExit(f"{count} {kind} items exceed the 4-digit ID space")
    return [f"{kind}-{i:04d}" for i in range(1, count + 1)]


def _statement(kind: str, n: int) -> str:
    if kind == "UN":
        return f"A laboratory user needs capability {n} so that case work of type {n} is safe."
    return (f"When event {n} occurs, the software shall respond with behaviour {n} within "
            f"{n % 7 + 1} seconds and record it.")


def _link(target: str, fp: str) -> str:
    return (f"{{id: {target}, fingerprint: {fp}, reviewed_by: \"{STAMP['reviewed_by']}\", "
            f"reviewed_at: \"{STAMP['reviewed_at']}\"}}")


def write_synthetic(root: Path, n: int, seed: int = 7) -> dict[str, Any]:
    """Write a bp2 design history of ``n`` items (plus code, tests and results) under ``root``."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    for folder in ("requirements", "risk", "validation", "verification/anomalies",
                   "traceability", "src/synth", "tests"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "synthetic"\nversion = "0"\n')
    shutil.copy(REPO / "traceability" / "model.yaml", root / "traceability" / "model.yaml")
    shutil.copy(REPO / "risk" / "policy.yaml", root / "risk" / "policy.yaml")
    shutil.copy(REPO / "requirements" / "intended-use.yaml",
                root / "requirements" / "intended-use.yaml")
    counts = _counts(n)
    un_ids, srs_ids = _ids("UN", counts["UN"]), _ids("SRS", counts["SRS"])
    haz_ids, val_ids, anom_ids = (_ids("HAZ", counts["HAZ"]), _ids("VAL", counts["VAL"]),
                                  _ids("ANOM", counts["ANOM"]))
    fps: dict[str, str] = {}
    for i, un in enumerate(un_ids, 1):
        statement = _statement("UN", i)
        fps[un] = fingerprint(UserNeed(id=un, title=f"Need {i}", statement=statement))  # type: ignore[arg-type]
        (root / "requirements" / f"{un}.yaml").write_text(
            f"id: {un}\ntitle: Need {i}\nstatement: >-\n  {statement}\n")
    for i, srs in enumerate(srs_ids, 1):
        statement = _statement("SRS", i)
        fps[srs] = fingerprint(SoftwareRequirement(  # type: ignore[arg-type]
            id=srs, title=f"Requirement {i}", statement=statement, rationale="r",
            type="functional", safety_class="B"))
        parents = sorted({un_ids[(i - 1) % len(un_ids)], rng.choice(un_ids)})
        links = "\n".join(f"  - {_link(p, fps[p])}" for p in parents)
        (root / "requirements" / f"{srs}.yaml").write_text(
            f"id: {srs}\ntitle: Requirement {i}\nstatement: >-\n  {statement}\n"
            f"rationale: Synthetic requirement {i} for the benchmark.\ntype: functional\n"
            f"safety_class: B\nparents:\n{links}\n")
    for i, haz in enumerate(haz_ids, 1):
        controls = []
        for c in range(2):
            srs = srs_ids[(2 * i + c) % len(srs_ids)]
            controls.append(
                f"  - measure: Control {c + 1} of hazard {i}.\n    srs: {_link(srs, fps[srs])}\n"
                f"    reduces: [probability]\n    new_risks: None identified.\n")
        (root / "risk" / f"{haz}.yaml").write_text(
            f"id: {haz}\ntitle: Hazard {i}\nhazard: Wrong data {i}.\nsequence_of_events:\n"
            f"  - Step one of {i}.\n  - Step two of {i}.\nhazardous_situation: Situation {i}.\n"
            f"harm: Harm {i}.\nseverity: serious\nprobability: probable\ncontrols:\n"
            + "".join(controls) + "residual:\n  severity: serious\n  probability: remote\n")
    for i, val in enumerate(val_ids, 1):
        targets = sorted({un_ids[(2 * i) % len(un_ids)], un_ids[(2 * i + 1) % len(un_ids)]})
        links = "\n".join(f"  - {_link(t, fps[t])}" for t in targets)
        (root / "validation" / f"{val}.yaml").write_text(
            f"id: {val}\ntitle: Protocol {i}\nvalidates:\n{links}\ndatasets:\n"
            f"  - name: set {i}\n    path: data/set{i}.vcf.gz\n    sha256: {'ab' * 32}\n"
            f"method: Run the case and compare with the truth set.\nacceptance_criteria:\n"
            f"  - metric: recall\n    comparator: '>='\n    threshold: 0.99\nstatus: approved\n")
    for i, anom in enumerate(anom_ids, 1):
        (root / "verification" / "anomalies" / f"{anom}.yaml").write_text(
            f"id: {anom}\ntitle: Anomaly {i}\ndescription: Something odd {i}.\n"
            f"affects: [{srs_ids[i % len(srs_ids)]}]\nfound_in: 0.1.0\nstatus: fixed\n"
            f"investigation: Cause {i} found.\nfixed_in: 0.1.1\n")
    for start in range(0, len(srs_ids), 10):
        chunk = srs_ids[start:start + 10]
        body = ", ".join(f'"{s}"' for s in chunk)
        (root / "src" / "synth" / f"mod_{start // 10:04d}.py").write_text(
            f'"""Synthetic module."""\n\nIMPLEMENTS = ({body},)\n')
        tests = "\n\n".join(
            f'@pytest.mark.verifies("{s}")\ndef test_{s.replace("-", "_").lower()}() -> None:\n'
            f"    assert True\n" for s in chunk)
        (root / "tests" / f"test_mod_{start // 10:04d}.py").write_text(
            f"import pytest\n\n\n{tests}")
    results = []
    for k in range(5 * n):
        srs = srs_ids[k % len(srs_ids)]
        roll = rng.random()
        outcome = "failed" if roll < 0.002 else "skipped" if roll < 0.01 else "passed"
        module = f"tests/test_mod_{(k % len(srs_ids)) // 10:04d}.py"
        results.append(TestResult(nodeid=f"{module}::test_{srs.replace('-', '_').lower()}[{k}]",
                                  outcome=outcome, duration=0.01,  # type: ignore[arg-type]
                                  ids=(srs,)))
    doc = build_results_file(results, tree_identity(root, ("tests",)),
                             created=datetime(2025, 1, 1, tzinfo=UTC))
    (root / ".bp2-results").mkdir(exist_ok=True)
    (root / ".bp2-results" / "results.json").write_text(json.dumps(doc))
    return {"items": n, "counts": counts, "test_results": len(results)}


def write_doorstop(root: Path, n: int) -> None:
    """The same items as a Doorstop tree (one document per kind)."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    counts = _counts(n)
    parents = {"UN": None, "SRS": "UN", "HAZ": "SRS", "VAL": "UN", "ANOM": "SRS"}
    ids = {kind: _ids(kind, count) for kind, count in counts.items()}
    rng = random.Random(7)
    for kind, parent in parents.items():
        doc = root / kind.lower()
        doc.mkdir()
        settings = {"prefix": kind, "sep": "'-'", "digits": "4"}
        if parent:
            settings["parent"] = parent
        lines = ["settings:", *(f"  {k}: {v}" for k, v in settings.items())]
        (doc / ".doorstop.yml").write_text("\n".join(lines) + "\n")
        for i, uid in enumerate(ids[kind], 1):
            if parent is None:
                links: list[str] = []
            elif kind == "SRS":
                links = sorted({ids["UN"][(i - 1) % len(ids["UN"])], rng.choice(ids["UN"])})
            elif kind == "HAZ":
                links = sorted({ids["SRS"][(2 * i + c) % len(ids["SRS"])] for c in range(2)})
            elif kind == "VAL":
                links = sorted({ids["UN"][(2 * i + c) % len(ids["UN"])] for c in range(2)})
            else:
                links = [ids["SRS"][i % len(ids["SRS"])]]
            link_text = "".join(f"\n- {link}: null" for link in links) if links else " []"
            (doc / f"{uid}.yml").write_text(
                f"active: true\nderived: false\nheader: ''\nlevel: '1.{i}'\nlinks:{link_text}\n"
                f"normative: true\nref: ''\nreviewed: null\n"
                f"text: |\n  {_statement(kind if kind == 'UN' else 'SRS', i)}\n")


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS MiB, exit code) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def measure(cmd: list[str], cwd: Path, repeats: int, ok: tuple[int, ...]) -> dict[str, Any]:
    """Median wall time (and CPU time, peak memory) of ``repeats`` runs after one warm-up."""
    timed(cmd, cwd)  # warm-up: file cache, compiled modules, bp2's content cache
    walls, cpus, peaks = [], [], []
    code = 0
    for _ in range(repeats):
        wall, cpu, peak, code = timed(cmd, cwd)
        if code not in ok:
            raise SystemExit(f"{' '.join(cmd)} exited {code}")
        walls.append(wall)
        cpus.append(cpu)
        peaks.append(peak)
    return {"command": " ".join(str(c) for c in cmd),
            "median_s": round(statistics.median(walls), 3),
            "min_s": round(min(walls), 3), "max_s": round(max(walls), 3),
            "median_cpu_s": round(statistics.median(cpus), 3),
            "peak_rss_mib": round(max(peaks), 1), "exit_code": code,
            "load_average_1min": round(os.getloadavg()[0], 2)}


def bench_bp2(n: int, repeats: int) -> dict[str, Any]:
    """Both commands through ``bp2 trace`` and through ``python -m bp2.trace``."""
    root = WORK / f"trace-{n}"
    t0 = time.perf_counter()
    info = write_synthetic(root, n)
    info["generate_s"] = round(time.perf_counter() - t0, 1)
    out = root / "matrix.html"
    entries = {"bp2 trace": [str(BIN / "bp2"), "trace"],
               "python -m bp2.trace": [sys.executable, "-m", "bp2.trace"]}
    for name, prefix in entries.items():
        check = measure([*prefix, "check", "--root", str(root)], root, repeats, (0, 1))
        matrix = measure([*prefix, "matrix", "--format", "html", "--out", str(out), "--root",
                          str(root)], root, repeats, (0,))
        total = check["median_s"] + matrix["median_s"]
        info[name] = {"check": check, "matrix_html": matrix, "total_s": round(total, 3),
                      "total_cpu_s": round(check["median_cpu_s"] + matrix["median_cpu_s"], 3),
                      "meets_goal": None if n not in GOALS else total <= GOALS[n]}
    info["goal_s"] = GOALS.get(n)
    info["matrix_html_mib"] = round(out.stat().st_size / 2**20, 1)
    info["bp2_version_startup_s"] = measure([str(BIN / "bp2"), "version"], root, repeats,
                                            (0,))["median_s"]
    return info


def bench_doorstop(n: int, repeats: int) -> dict[str, Any]:
    """Doorstop's validation (it stamps review fingerprints on its first run: the warm-up) and
    HTML publication of the same items."""
    root = WORK / f"doorstop-{n}"
    write_doorstop(root, n)
    doorstop = str(BIN / "doorstop")
    out = root / "publish"
    info: dict[str, Any] = {"items": n}
    info["validate"] = measure([doorstop, "-j", str(root)], root, repeats, (0, 1))
    info["publish_html"] = measure([doorstop, "-j", str(root), "publish", "all", str(out)],
                                   root, repeats, (0,))
    info["total_s"] = round(info["validate"]["median_s"] + info["publish_html"]["median_s"], 3)
    info["total_cpu_s"] = round(info["validate"]["median_cpu_s"]
                                + info["publish_html"]["median_cpu_s"], 3)
    return info


def _version(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip().splitlines()[-1] if done.returncode == 0 else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--doorstop-size", type=int, default=2000)
    parser.add_argument("--doorstop-repeats", type=int, default=1,
                        help="timed Doorstop runs after the warm-up (each takes tens of seconds)")
    parser.add_argument("--no-doorstop", action="store_true")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "benchmark": "bp2 trace check + bp2 trace matrix --format html (whole commands)",
        "command": "python benchmarks/trace_bench.py " + " ".join(sys.argv[1:]),
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "bp2": _version([str(BIN / "bp2"), "version"]),
        "doorstop": _version([str(BIN / "doorstop"), "--version"]),
        "bp2_runs": [], "doorstop_runs": [],
    }
    for n in args.sizes:
        result = bench_bp2(n, args.repeats)
        report["bp2_runs"].append(result)
        for name in ("bp2 trace", "python -m bp2.trace"):
            run = result[name]
            peak = max(run["check"]["peak_rss_mib"], run["matrix_html"]["peak_rss_mib"])
            print(f"{name:<20} {n:>6} items: check {run['check']['median_s']:.2f} s, matrix html "
                  f"{run['matrix_html']['median_s']:.2f} s, total {run['total_s']:.2f} s "
                  f"(CPU {run['total_cpu_s']:.2f} s; goal {result['goal_s']} s), "
                  f"peak {peak:.0f} MiB")
    if not args.no_doorstop:
        result = bench_doorstop(args.doorstop_size, args.doorstop_repeats)
        report["doorstop_runs"].append(result)
        peak = max(result["validate"]["peak_rss_mib"], result["publish_html"]["peak_rss_mib"])
        print(f"doorstop {args.doorstop_size:>6} items: validate "
              f"{result['validate']['median_s']:.2f} s, publish html "
              f"{result['publish_html']['median_s']:.2f} s, total {result['total_s']:.2f} s "
              f"(CPU {result['total_cpu_s']:.2f} s), "
              f"peak {peak:.0f} MiB")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
