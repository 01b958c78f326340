"""Time the ``call`` stage against the equivalent bcftools command line, and score both.

Usage::

    .venv/bin/python benchmarks/call_bench.py [--datasets 1 11 2] [--threads 2] [--repeats 3]

For each dataset it runs, alternately and ``--repeats`` times, on the same BAMs:

* **command line**: ``bcftools mpileup | bcftools call -m -v | bcftools norm -f ref -m -both |
  bcftools filter ... -Oz`` then ``bcftools index -t`` — with the stage's own parameters, ploidy
  table and sample sexes (the argv come from :mod:`bp2.stages.call.commands`), one stream over
  the whole reference;
* **stage**: ``bp2 stage run call --threads T`` on the same files (its chunks in parallel, indel
  re-genotyping, stats).

It reports the median wall time of each and their ratio (stage / command line) — also with the
stage's own duration from its provenance, which leaves out bp2's start-up, input hashing and tool
probes (about 1 s here, a fixed cost) — the machine's load average around the runs, the peak
resident memory of each run (sum over its whole process tree, sampled every 20 ms from /proc,
and of its largest process), the tool versions, and the recall/precision (``bp2.benchmark.
compare``) of the stage, of the command line and of the **bare chain**
(``bcftools mpileup -f ref | bcftools call -mv``, bcftools defaults; from
:mod:`bp2.validation.bare_chain`, the validation protocols' comparator) against the dataset's
truth.  Dataset 11 has reads only as FASTQ: the script aligns them with Debian's
``minimap2 -ax sr`` and ``samtools sort`` (:func:`bp2.validation.bare_chain.align`).  Dataset 2 is
the CEPH trio called jointly, scored on the child HG001 within
20:10,000,000-10,010,000.  Results go to ``benchmarks/results/call.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from bp2.benchmark.compare import Regions, compare_files, reference_fetch  # noqa: E402
from bp2.stages.call import commands, ploidy  # noqa: E402
from bp2.stages.call.chunks import parse_fai  # noqa: E402
from bp2.stages.call.params import CallParams  # noqa: E402
from bp2.tools import tool_versions  # noqa: E402
from bp2.validation import bare_chain  # noqa: E402

DATA = Path(os.environ.get("BP2_TEST_DATA", REPO.parent / "shared" / "data"))
HG19 = "grch37_chr20_NA12878_deepvariant/reference/ucsc.hg19.chr20.unittest.fasta.gz"
HS37 = "grch37_chr20_trio_deeptrio/reference/hs37d5.chr20.fa.gz"
TRIO = "grch37_chr20_trio_deeptrio"
DATASETS: dict[str, dict[str, Any]] = {
    "1": {
        "reference": HG19,
        "samples": [("NA12878", "female",
                     "grch37_chr20_NA12878_deepvariant/reads/NA12878_S1.chr20.10_10p1mb.bam")],
        "truth": "grch37_chr20_NA12878_deepvariant/truth/test_nist.b37_chr20_100kbp_at_10mb.vcf.gz",
        "bed": "grch37_chr20_NA12878_deepvariant/truth/test_nist.b37_chr20_100kbp_at_10mb.bed",
        "scored": "NA12878", "window": None,
    },
    "11": {
        "reference": HG19,
        "samples": [("NA12878", "female", None)],
        "fastq": ("grch37_chr20_semireal_NA12878/reads_R1.fastq.gz",
                  "grch37_chr20_semireal_NA12878/reads_R2.fastq.gz"),
        "truth": "grch37_chr20_semireal_NA12878/truth.vcf.gz",
        "bed": "grch37_chr20_semireal_NA12878/confident.bed",
        "scored": "NA12878", "window": None,
    },
    "2": {
        "reference": HS37,
        "samples": [("HG001", "female", f"{TRIO}/reads/HG001.chr20.10_10p1mb_sorted.bam"),
                    ("NA12891", "male", f"{TRIO}/reads/NA12891.chr20.10_10p1mb_sorted.bam"),
                    ("NA12892", "female", f"{TRIO}/reads/NA12892.chr20.10_10p1mb_sorted.bam")],
        "truth": f"{TRIO}/truth/HG001_chr20_GRCh37_GIAB_highconf_CG-IllFB-IllGATKHC-Ion-10X-"
                 "SOLID_CHROM1-X_v.3.3.2_highconf_PGandRTGphasetransfer.vcf.gz",
        "bed": f"{TRIO}/truth/test_giab.b37_chr20_100kbp_at_10mb.bed",
        "scored": "HG001", "window": ("20", 9_999_999, 10_010_000),
    },
}


def measure(argv: list[str], cwd: Path) -> tuple[float, float, float]:
    """Run a command; return (wall s, peak RSS MiB of its process tree, of its largest process)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    peak_tree = 0
    stderr_chunks: list[bytes] = []
    assert proc.stderr is not None
    os.set_blocking(proc.stderr.fileno(), False)
    while True:
        peak_tree = max(peak_tree, _tree_rss(proc.pid))
        chunk = proc.stderr.read()
        if chunk:
            stderr_chunks.append(chunk)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.02)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    rest = proc.stderr.read()
    if rest:
        stderr_chunks.append(rest)
    proc.returncode = code
    if code != 0:
        raise SystemExit(f"{argv[:4]} failed ({code}): {b''.join(stderr_chunks).decode()[-2000:]}")
    return wall, peak_tree / 2**20, usage.ru_maxrss / 1024


def _tree_rss(session: int) -> int:
    """Resident bytes of every process in a session (the command and its children)."""
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[3]) != session:  # field 6 of /proc/PID/stat: session id
                continue
            total += int((entry / "statm").read_text().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
    return total


def cli_script(params: CallParams, ref: Path, bams: list[tuple[str, Path]], ploidy_file: Path,
               sexes: Path, read_groups: Path, out: Path) -> str:
    """The stage's calling chain as one command-line stream over the whole reference."""
    mpileup = commands.mpileup_argv(params, reference=str(ref), bams=[str(b) for _, b in bams],
                                    read_groups=str(read_groups), regions="REGIONS", seed=13485)
    at = mpileup.index("-R")
    del mpileup[at:at + 2]
    call = commands.call_argv(params, ploidy=str(ploidy_file), samples_sex=str(sexes),
                              output="/dev/stdout")
    tail = commands.tail_argvs(params, reference=str(ref), file_list="-", output=str(out))[1:]
    parts = [mpileup, call, *tail]
    chain = " | ".join(shlex.join(p) for p in parts)
    return (f"set -euo pipefail; {chain} 2>/dev/null && "
            f"{shlex.join(commands.index_argv(str(out), str(out) + '.tbi'))}")


def score(spec: dict[str, Any], vcf: Path, sample: str | None) -> dict[str, Any]:
    ref = DATA / spec["reference"]
    window = None if spec["window"] is None else Regions.from_intervals([spec["window"]])
    result = compare_files(DATA / spec["truth"], vcf, DATA / spec["bed"], query_sample=sample,
                           window=window, fetch=reference_fetch(ref, Path(f"{ref}.fai"),
                                                                Path(f"{ref}.gzi")))
    return result.as_dict()


def provenance_durations(work: Path, repeats: int) -> list[float]:
    """The stage's own run time of each repeat (without bp2 start-up and input hashing)."""
    return [json.loads((work / f"stage-{r}" / "provenance.json").read_text())["duration_s"]
            for r in range(repeats)]


def run_dataset(name: str, spec: dict[str, Any], work: Path, threads: int, repeats: int
                ) -> dict[str, Any]:
    params = CallParams()
    ref = DATA / spec["reference"]
    samples: list[tuple[str, str, Path]] = []
    for sample, sex, bam in spec["samples"]:
        if bam is None:
            path = work / f"{sample}.bam"
            r1, r2 = (DATA / f for f in spec["fastq"])
            bare_chain.align(r1, r2, ref, path, sample, threads)
            samples.append((sample, sex, path))
        else:
            samples.append((sample, sex, DATA / bam))
    inputs = {
        "samples": [{"sample": s, "sex": sex, "bam": str(b), "bam_index": f"{b}.bai"}
                    for s, sex, b in samples],
        "reference": str(ref), "reference_index": f"{ref}.fai", "reference_gzi": f"{ref}.gzi",
        "build": "GRCh37",
    }
    (work / "inputs.json").write_text(json.dumps(inputs))
    contigs = parse_fai(Path(f"{ref}.fai").read_text(), "fai")
    ploidy_file = work / "ploidy.txt"
    ploidy_file.write_text(ploidy.render_ploidy(ploidy.generate_ploidy(
        contigs, ploidy.resolve_build("GRCh37", contigs, "fai"))))
    sexes = work / "sexes.txt"
    from bp2.case import Sex

    sexes.write_text(ploidy.samples_sex_text([(s, Sex(sex)) for s, sex, _ in samples]))
    read_groups = work / "read_groups.txt"
    read_groups.write_text("".join(f"* {b} {s}\n" for s, _, b in samples))
    cli_out = work / "cli.vcf.gz"
    script = cli_script(params, ref, [(s, b) for s, _, b in samples], ploidy_file, sexes,
                        read_groups, cli_out)
    bp2 = str(Path(sys.executable).parent / "bp2")
    stage_runs: list[tuple[float, float, float]] = []
    cli_runs: list[tuple[float, float, float]] = []
    # the same stage without local haplotype re-genotyping: the cost of that step (SRS-158)
    off_runs: list[tuple[float, float, float]] = []
    (work / "params-off.json").write_text(json.dumps({"local_haplotypes": False}))
    load_before = os.getloadavg()[0]
    for repeat in range(repeats):
        outdir = work / f"stage-{repeat}"
        stage_runs.append(measure([bp2, "stage", "run", "call", "--inputs",
                                   str(work / "inputs.json"), "--outdir", str(outdir),
                                   "--threads", str(threads), "--seed", "13485"], work))
        cli_runs.append(measure(["bash", "-c", script], work))
        off_runs.append(measure([bp2, "stage", "run", "call", "--inputs",
                                 str(work / "inputs.json"), "--params",
                                 str(work / "params-off.json"), "--outdir",
                                 str(work / f"stage-off-{repeat}"), "--threads", str(threads),
                                 "--seed", "13485"], work))
    load_after = os.getloadavg()[0]
    stage_vcf = work / "stage-0" / "calls.vcf.gz"
    bare = work / "bare.vcf.gz"
    bare_sample = spec["scored"]
    bare_bam = next(b for s, _, b in samples if s == bare_sample)
    bare_chain.call(ref, [bare_bam], bare)
    stage_wall = statistics.median(r[0] for r in stage_runs)
    cli_wall = statistics.median(r[0] for r in cli_runs)
    return {
        "samples": [s for s, _, _ in samples],
        "scored_sample": spec["scored"],
        "stage_wall_s": [round(r[0], 3) for r in stage_runs],
        "stage_duration_in_provenance_s": provenance_durations(work, repeats),
        "cli_wall_s": [round(r[0], 3) for r in cli_runs],
        "median_stage_s": round(stage_wall, 3),
        "median_cli_s": round(cli_wall, 3),
        "ratio_stage_over_cli": round(stage_wall / cli_wall, 3),
        "stage_without_local_haplotypes_wall_s": [round(r[0], 3) for r in off_runs],
        "ratio_local_haplotypes_cost": round(
            stage_wall / statistics.median(r[0] for r in off_runs), 3),
        "ratio_stage_duration_over_cli": round(
            statistics.median(provenance_durations(work, repeats)) / cli_wall, 3),
        "machine_load_1min_before_after": [round(load_before, 2), round(load_after, 2)],
        "peak_rss_tree_mib": {"stage": round(max(r[1] for r in stage_runs), 1),
                              "cli": round(max(r[1] for r in cli_runs), 1)},
        "peak_rss_largest_process_mib": {"stage": round(max(r[2] for r in stage_runs), 1),
                                         "cli": round(max(r[2] for r in cli_runs), 1)},
        "accuracy": {
            "stage": score(spec, stage_vcf, spec["scored"]),
            "cli_same_parameters": score(spec, cli_out, spec["scored"]),
            "bare_chain_mpileup_call_mv": score(spec, bare, None),
        },
        "cli_command": script,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["1", "11", "2"], choices=DATASETS)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "call.json")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for name in args.datasets:
        with tempfile.TemporaryDirectory(prefix=f"call-bench-{name}-") as tmp:
            results[name] = run_dataset(name, DATASETS[name], Path(tmp), args.threads,
                                        args.repeats)
        print(f"dataset {name}: ratio {results[name]['ratio_stage_over_cli']} "
              f"(own duration {results[name]['ratio_stage_duration_over_cli']}) "
              f"(stage {results[name]['median_stage_s']} s, cli {results[name]['median_cli_s']} s)"
              f"; stage {results[name]['accuracy']['stage']['ALL']}; "
              f"bare {results[name]['accuracy']['bare_chain_mpileup_call_mv']['ALL']}")
    versions = tool_versions(("bcftools", "samtools", "pysam", "htslib", "edlib"))
    minimap2 = subprocess.run(["minimap2", "--version"], capture_output=True, text=True).stdout
    report = {
        "benchmark": "call stage vs bcftools command line (same parameters, same BAMs)",
        "threads": args.threads,
        "repeats": args.repeats,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "tools": {**versions, "minimap2": minimap2.strip()},
        "params": CallParams().model_dump(mode="json"),
        "datasets": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
