"""Time the ``align`` stage against minimap2 + samtools on the command line, same reads and threads.

Usage::

    .venv/bin/python benchmarks/align_bench.py [--datasets 1 11] [--threads 2] [--repeats 3]

For each dataset it runs, alternately and ``--repeats`` times:

* **command line**: ``minimap2 -ax sr -t T ref r1 r2 | samtools fixmate -m -u - - |
  samtools sort -u -@ T -m 768M | samtools markdup -@ T - out.bam`` then
  ``samtools index -@ T`` — the same steps and output the stage produces;
* **stage**: ``bp2 stage run align --threads T`` on the same files;
* **baseline** (only with ``--baseline-bp2 EXE``): the same stage run by another ``bp2``
  executable (an earlier version, say), so a change is measured before and after in one run.

It reports the median and least wall time of each, their ratios (stage / command line), the
stage's own duration from its provenance (without Python start-up and input hashing), the CPU
time of each process tree, the peak resident memory of the largest process of each run
(``wait4`` rusage), the duplicate counts of both outputs, and the tool versions, to
``benchmarks/results/align.json``, with the 1-minute load average after each round.  The machine
may be shared: the least wall times and the CPU ratio are the figures least disturbed by other
work.  minimap2 and samtools are
installed from Debian (``apt-get install``) when missing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("BP2_TEST_DATA", REPO.parent / "shared" / "data"))
REFERENCE = "grch37_chr20_NA12878_deepvariant/reference/ucsc.hg19.chr20.unittest.fasta.gz"
DATASETS = {
    "1": ("grch37_chr20_NA12878_deepvariant/derived/NA12878_S1.chr20.10_10p1mb_R1.fastq.gz",
          "grch37_chr20_NA12878_deepvariant/derived/NA12878_S1.chr20.10_10p1mb_R2.fastq.gz"),
    "11": ("grch37_chr20_semireal_NA12878/reads_R1.fastq.gz",
           "grch37_chr20_semireal_NA12878/reads_R2.fastq.gz"),
}


def ensure_debian_tools() -> None:
    """Install minimap2 and samtools from Debian when they are not on PATH."""
    missing = [tool for tool in ("minimap2", "samtools") if shutil.which(tool) is None]
    if not missing:
        return
    print(f"installing {' '.join(missing)} from Debian", file=sys.stderr)
    subprocess.run(["apt-get", "update"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", *missing], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def timed(argv: list[str], cwd: Path) -> tuple[float, float, float]:
    """Run a command; return (wall s, CPU s of its process tree, peak RSS MiB of its largest)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv[:3]} failed ({proc.returncode}): {stderr.decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def cli_command(ref: Path, r1: Path, r2: Path, out: Path, threads: int) -> list[str]:
    t = str(threads)
    script = (
        f"set -euo pipefail; minimap2 -ax sr -t {t} {ref} {r1} {r2} 2>/dev/null"
        f" | samtools fixmate -m -u - -"
        f" | samtools sort -u -@ {t} -m 768M -T {out.parent / 'sort'} - 2>/dev/null"
        f" | samtools markdup -@ {t} - {out}"
        f" && samtools index -@ {t} {out} {out}.bai"
    )
    return ["bash", "-c", script]


def duplicates(bam: Path) -> int:
    text = subprocess.run(["samtools", "flagstat", "-O", "json", str(bam)], check=True,
                          capture_output=True, text=True).stdout
    return int(json.loads(text)["QC-passed reads"]["duplicates"])


def versions() -> dict[str, str]:
    def first_match(argv: list[str], pattern: str) -> str:
        out = subprocess.run(argv, capture_output=True, text=True, errors="replace").stdout
        match = re.search(pattern, out)
        return match.group(1) if match else "unknown"

    import mappy
    import pysam

    return {
        "minimap2": first_match(["minimap2", "--version"], r"(\S+)"),
        "samtools": first_match(["samtools", "--version"], r"samtools (\S+)"),
        "mappy": str(mappy.__version__),
        "pysam": str(pysam.__version__),
        "python": platform.python_version(),
    }


def stage_summary(walls: list[float], cpu: list[float], rss: list[float], inner: list[float],
                  cli_median: float) -> dict[str, Any]:
    median, duration = statistics.median(walls), statistics.median(inner)
    return {
        "wall_s": [round(w, 3) for w in walls],
        "median_wall_s": round(median, 3),
        "min_wall_s": round(min(walls), 3),
        "median_cpu_s": round(statistics.median(cpu), 3),
        "median_stage_duration_s": round(duration, 3),
        "peak_rss_mib": round(max(rss), 1),
        "ratio_wall": round(median / cli_median, 3),
        "ratio_stage_duration": round(duration / cli_median, 3),
    }


def bench(dataset: str, threads: int, repeats: int, bp2: str,
          baseline: str | None = None, label: str | None = None) -> dict[str, Any]:
    ref = DATA / REFERENCE
    r1, r2 = (DATA / p for p in DATASETS[dataset])
    cli_walls: list[float] = []
    cli_cpu: list[float] = []
    cli_rss: list[float] = []
    stage_walls: list[float] = []
    stage_cpu: list[float] = []
    stage_rss: list[float] = []
    stage_inner: list[float] = []
    base: tuple[list[float], list[float], list[float], list[float]] = ([], [], [], [])
    loads: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bp2-align-bench-") as tmp_name:
        tmp = Path(tmp_name)
        inputs = tmp / "inputs.json"
        inputs.write_text(json.dumps({
            "sample": "NA12878", "reference": str(ref), "reference_index": f"{ref}.fai",
            "reference_gzi": f"{ref}.gzi", "fastq_1": str(r1), "fastq_2": str(r2),
        }))
        for attempt in range(repeats):
            cli_dir = tmp / f"cli{attempt}"
            cli_dir.mkdir()
            cli_bam = cli_dir / "out.bam"
            wall, cpu, rss = timed(cli_command(ref, r1, r2, cli_bam, threads), tmp)
            cli_walls.append(wall)
            cli_cpu.append(cpu)
            cli_rss.append(rss)
            stage_dir = tmp / f"stage{attempt}"
            wall, cpu, rss = timed([bp2, "stage", "run", "align", "--inputs", str(inputs),
                                    "--outdir", str(stage_dir), "--threads", str(threads)], tmp)
            stage_walls.append(wall)
            stage_cpu.append(cpu)
            stage_rss.append(rss)
            provenance = json.loads((stage_dir / "provenance.json").read_text())
            stage_inner.append(float(provenance["duration_s"]))
            if baseline is not None:
                base_dir = tmp / f"baseline{attempt}"
                wall, cpu, rss = timed([baseline, "stage", "run", "align", "--inputs",
                                        str(inputs), "--outdir", str(base_dir), "--threads",
                                        str(threads)], tmp)
                for values, value in zip(base, (wall, cpu, rss, float(json.loads(
                        (base_dir / "provenance.json").read_text())["duration_s"])), strict=True):
                    values.append(value)
            loads.append(round(os.getloadavg()[0], 2))
        metrics = json.loads((stage_dir / "NA12878.align_metrics.json").read_text())
        cli_dups = duplicates(cli_bam)
    cli_median, stage_median = statistics.median(cli_walls), statistics.median(stage_walls)
    inner = statistics.median(stage_inner)
    result: dict[str, Any] = {
        "reads": str(r1.relative_to(DATA)) + " + R2",
        "read_pairs": metrics["primary_reads"] // 2,
        "command_line": {
            "wall_s": [round(w, 3) for w in cli_walls],
            "median_wall_s": round(cli_median, 3),
            "min_wall_s": round(min(cli_walls), 3),
            "median_cpu_s": round(statistics.median(cli_cpu), 3),
            "peak_rss_mib": round(max(cli_rss), 1),
            "duplicates": cli_dups,
        },
        "stage": {
            "wall_s": [round(w, 3) for w in stage_walls],
            "median_wall_s": round(stage_median, 3),
            "min_wall_s": round(min(stage_walls), 3),
            "median_cpu_s": round(statistics.median(stage_cpu), 3),
            "median_stage_duration_s": round(inner, 3),
            "peak_rss_mib": round(max(stage_rss), 1),
            "duplicates": metrics["duplicates"],
        },
        "ratio_wall": round(stage_median / cli_median, 3),
        "ratio_min_wall": round(min(stage_walls) / min(cli_walls), 3),
        "ratio_stage_duration": round(inner / cli_median, 3),
        "ratio_cpu": round(statistics.median(stage_cpu) / statistics.median(cli_cpu), 3),
        "duplicate_difference_pct": round(
            100 * abs(metrics["duplicates"] - cli_dups) / max(cli_dups, 1), 3),
        "load_average_1min_per_round": loads,
    }
    if baseline is not None:
        result["baseline"] = {"bp2": label or baseline, **stage_summary(*base, cli_median)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["1", "11"], choices=sorted(DATASETS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "align.json")
    parser.add_argument("--baseline-bp2", default=None,
                        help="another bp2 executable whose align stage is timed alongside")
    parser.add_argument("--baseline-label", default=None,
                        help="what the baseline is, for the results (default: its path)")
    args = parser.parse_args()
    ensure_debian_tools()
    bp2 = shutil.which("bp2") or str(REPO / ".venv" / "bin" / "bp2")
    from bp2.stages.align import AlignStage

    load_before = os.getloadavg()[0]
    results: dict[str, Any] = {
        "benchmark": "align stage vs minimap2 -ax sr | samtools fixmate/sort/markdup/index",
        "target_ratio": 1.3,
        "threads": args.threads,
        "repeats": args.repeats,
        "cpus": os.cpu_count(),
        "stage_version": AlignStage.VERSION,
        "tool_versions": versions(),
        "peak_rss_note": "largest single process of each run (wait4 ru_maxrss); the stage's "
                         "forked mapping workers share the minimap2 index copy-on-write",
        "datasets": {d: bench(d, args.threads, args.repeats, bp2, args.baseline_bp2,
                              args.baseline_label) for d in args.datasets},
    }
    # other work on a shared machine inflates wall times: the 1-minute load average says how much
    results["load_average_1min"] = {"before": round(load_before, 2),
                                    "after": round(os.getloadavg()[0], 2)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    for name, result in results["datasets"].items():
        print(f"dataset {name}: command line {result['command_line']['median_wall_s']} s, "
              f"stage {result['stage']['median_wall_s']} s "
              f"(in-stage {result['stage']['median_stage_duration_s']} s), "
              f"ratio {result['ratio_wall']} (min {result['ratio_min_wall']}, in-stage "
              f"{result['ratio_stage_duration']}, CPU {result['ratio_cpu']}), "
              f"peak RSS {result['command_line']['peak_rss_mib']} / "
              f"{result['stage']['peak_rss_mib']} MiB, duplicates "
              f"{result['command_line']['duplicates']} / {result['stage']['duplicates']}")
        if "baseline" in result:
            base = result["baseline"]
            print(f"  baseline {base['bp2']}: {base['median_wall_s']} s (in-stage "
                  f"{base['median_stage_duration_s']} s), ratio {base['ratio_wall']} (in-stage "
                  f"{base['ratio_stage_duration']}), peak RSS {base['peak_rss_mib']} MiB")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
