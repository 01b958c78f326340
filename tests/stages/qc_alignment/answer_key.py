"""Answer key of ``qc_alignment``: dataset 1 (NA12878, chr20:10.0-10.1 Mb, ~52x) checked against
samtools, run in the test on the same BAM and the GIAB confident BED (11 intervals, 8,999 bp).

The shipped BAM holds 111 records twice (same name and flag: an artefact of how the test file
was cut).  The stage counts a template's overlapping records once; htslib's overlap detection
(behind ``samtools depth -s``) pairs the two copies only in some cases, so the answer key runs
both tools on the BAM with the second copies removed (done in :func:`build`, with pysam), where
the two definitions coincide; ``test_stage.py`` compares the original BAM within a tolerance.

1. **Depth**: ``samtools depth -s -a -Q 11 -G UNMAP,SECONDARY,QCFAIL,DUP -b BED`` (``-s``:
   overlapping mates once) — the stage's base count, mean and median depth and percentage of
   bases at ≥ 1, 10, 15, 20 and 30× must equal the figures computed from samtools' per-base
   depths (to the 4 and 6 decimals the report keeps).
2. **Read counts**: ``samtools flagstat`` — every count the stage reports must equal flagstat's
   (QC-passed + QC-failed).
3. **Insert size**: ``samtools view -f 0x41 -F 0xF0C`` (read 1 of mapped, primary,
   non-duplicate, non-QC-failed pairs with the mate mapped), kept when RNEXT is ``=`` and TLEN
   is not 0; median and quartiles of |TLEN| computed in the test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pysam

from bp2.fileio import canonical_json
from bp2.stages.base import StageInputs, StageOutputs, StageParams
from bp2.stages.qc_alignment import QcAlignmentOutputs, QcAlignmentParams
from tests.stages.conformance import AnswerKey
from tests.stages.qc_alignment.data import (
    ds1_bam,
    ds1_bed,
    ds1_inputs,
    flagstat_totals,
    run_tool,
    samtools_depth,
)

LEVELS = (1, 10, 15, 20, 30)
# the stage's flag counts and the samtools flagstat -O tsv line naming each
FLAGSTAT_NAMES = {
    "total_records": "total (QC-passed reads + QC-failed reads)",
    "primary": "primary",
    "secondary": "secondary",
    "supplementary": "supplementary",
    "primary_duplicates": "primary duplicates",
    "primary_mapped": "primary mapped",
    "paired": "paired in sequencing",
    "properly_paired": "properly paired",
    "singletons": "singletons",
    "mate_other_contig": "with mate mapped to a different chr",
}


def params() -> QcAlignmentParams:
    """A 9 kb window: no Q30 genome yield, no X/Y and no SNP sites to assess."""
    return QcAlignmentParams(min_q30_bases=0, fail_unassessed=False)


def without_repeated_records(source: Path, target: Path) -> tuple[Path, Path]:
    """A copy of ``source`` keeping the first record of each (read name, flag); indexed."""
    seen: set[tuple[str, int]] = set()
    with pysam.AlignmentFile(str(source)) as reads, \
            pysam.AlignmentFile(str(target), "wb", header=reads.header) as out:
        for read in reads.fetch(until_eof=True):
            key = (str(read.query_name), int(read.flag))
            if key not in seen:
                seen.add(key)
                out.write(read)
    pysam.index(str(target))
    return target, Path(f"{target}.bai")


def build(tmp: Path) -> tuple[StageInputs, StageParams]:
    tmp.mkdir(parents=True, exist_ok=True)
    bam, index = without_repeated_records(ds1_bam()[0], tmp / "NA12878.norepeat.bam")
    return ds1_inputs(bam, index), params()


def report(outputs: StageOutputs) -> dict[str, Any]:
    assert isinstance(outputs, QcAlignmentOutputs)
    loaded: dict[str, Any] = json.loads(outputs.qc_json.read_text(encoding="utf-8"))
    return loaded


def outputs_bam(outputs: StageOutputs) -> Path:
    """The BAM the stage read, from the provenance record beside its outputs."""
    assert isinstance(outputs, QcAlignmentOutputs)
    provenance = json.loads((outputs.qc_json.parent / "provenance.json").read_text())
    return Path(provenance["input_files"]["alignments"]["path"])


def samtools_insert_sizes(bam: Path) -> list[int]:
    sizes = []
    for line in run_tool("samtools", "view", "-f", "0x41", "-F", "0xF0C", str(bam)).splitlines():
        cols = line.split("\t")
        if cols[6] == "=" and int(cols[8]) != 0:
            sizes.append(abs(int(cols[8])))
    return sizes


def check(outputs: StageOutputs) -> None:
    qc = report(outputs)
    bam = outputs_bam(outputs)
    depths = np.array(samtools_depth(bam, ds1_bed()))
    coverage = qc["metrics"]["coverage"]
    assert coverage["autosomal_target_bases"] == depths.size == 8999
    assert coverage["mean_depth"] == round(float(depths.mean()), 4)
    assert coverage["median_depth"] == float(np.sort(depths)[(depths.size + 1) // 2 - 1])
    for level in LEVELS:
        expected = round(100 * float(np.count_nonzero(depths >= level)) / depths.size, 6)
        assert coverage[f"pct_at_{level}x"] == expected, level
    flags = flagstat_totals(bam)
    reads = qc["metrics"]["reads"]
    for ours, theirs in FLAGSTAT_NAMES.items():
        assert reads[ours] == flags[theirs], ours
    sizes = np.array(samtools_insert_sizes(bam))
    inserts = qc["metrics"]["insert_size"]
    assert inserts["pairs"] == sizes.size
    q1, median, q3 = np.percentile(sizes, [25, 50, 75])
    assert (inserts["q1"], inserts["median"], inserts["q3"]) == (
        round(float(q1), 4), round(float(median), 4), round(float(q3), 4))


def normalise(outputs: StageOutputs) -> bytes:
    """The metrics, checks (ID, status, value, threshold, flag), flags and verdict."""
    qc = report(outputs)
    checks = [{k: c[k] for k in ("id", "status", "value", "threshold", "flag")}
              for c in qc["checks"]]
    return canonical_json({"metrics": qc["metrics"], "checks": checks, "flags": qc["flags"],
                           "status": qc["status"]}).encode()


ANSWER_KEY = AnswerKey(
    stage_id="qc_alignment",
    source="samtools depth -s -a -Q 11 -G UNMAP,SECONDARY,QCFAIL,DUP, samtools flagstat and "
    "samtools view (insert sizes) run in the test on dataset 1's BAM (repeated records removed) "
    "and GIAB confident BED",
    build=build,
    check=check,
    normalise=normalise,
)
