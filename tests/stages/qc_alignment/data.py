"""Shared test data and helpers for the qc_alignment tests (real data via sha256-checked paths)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bp2.case import Sex
from bp2.stages.qc_alignment import QcAlignmentInputs
from tests.testdata import data_file

DS1 = "grch37_chr20_NA12878_deepvariant"
DS2 = "grch37_chr20_trio_deeptrio"
SAMPLE = "NA12878"
DEPTH_FILTER = ("-Q", "11", "-G", "UNMAP,SECONDARY,QCFAIL,DUP")


def ds1_bam() -> tuple[Path, Path]:
    return (data_file(f"{DS1}/reads/NA12878_S1.chr20.10_10p1mb.bam"),
            data_file(f"{DS1}/reads/NA12878_S1.chr20.10_10p1mb.bam.bai"))


def ds1_reference() -> tuple[Path, Path, Path]:
    return (data_file(f"{DS1}/reference/ucsc.hg19.chr20.unittest.fasta.gz"),
            data_file(f"{DS1}/reference/ucsc.hg19.chr20.unittest.fasta.gz.fai"),
            data_file(f"{DS1}/reference/ucsc.hg19.chr20.unittest.fasta.gz.gzi"))


def ds1_bed() -> Path:
    return data_file(f"{DS1}/truth/test_nist.b37_chr20_100kbp_at_10mb.bed")


def hg002_bam() -> tuple[Path, Path]:
    return (data_file(f"{DS2}/reads/HG002_NIST_150bp_downsampled_30x.chr20.10_10p1mb.bam"),
            data_file(f"{DS2}/reads/HG002_NIST_150bp_downsampled_30x.chr20.10_10p1mb.bam.bai"))


def hs37d5_reference() -> tuple[Path, Path, Path]:
    return (data_file(f"{DS2}/reference/hs37d5.chr20.fa.gz"),
            data_file(f"{DS2}/reference/hs37d5.chr20.fa.gz.fai"),
            data_file(f"{DS2}/reference/hs37d5.chr20.fa.gz.gzi"))


def hg001_truth() -> tuple[Path, Path]:
    name = (f"{DS2}/truth/HG001_chr20_GRCh37_GIAB_highconf_CG-IllFB-IllGATKHC-Ion-10X-SOLID_"
            "CHROM1-X_v.3.3.2_highconf_PGandRTGphasetransfer.vcf.gz")
    return data_file(name), data_file(name + ".tbi")


def ds1_inputs(bam: Path | None = None, index: Path | None = None, **fields: object
               ) -> QcAlignmentInputs:
    """Dataset 1's BAM, reference and confident BED as qc_alignment inputs."""
    default_bam, default_index = ds1_bam()
    ref, fai, gzi = ds1_reference()
    values: dict[str, object] = {
        "sample": SAMPLE, "alignments": bam or default_bam,
        "alignments_index": index or default_index, "reference": ref, "reference_index": fai,
        "reference_gzi": gzi, "reference_build": "GRCh37-hg19", "target_bed": ds1_bed(),
        "declared_sex": Sex.FEMALE,
    }
    values.update(fields)
    return QcAlignmentInputs.model_validate(values)


def require_tools(*names: str) -> None:
    for name in names:
        if shutil.which(name) is None:
            pytest.fail(f"'{name}' is needed by this test (apt-get install {name})")


def run_tool(*args: str) -> str:
    """Run a command-line tool and return its standard output (fail the test on error)."""
    require_tools(args[0])
    proc = subprocess.run(list(args), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr[-500:]}")
    return proc.stdout


def samtools_depth(bam: Path, bed: Path, *, overlaps_once: bool = True) -> list[int]:
    """Per-position depth from ``samtools depth -a`` over a BED with GEL's read filter."""
    args = ["samtools", "depth", "-a", *DEPTH_FILTER, "-b", str(bed), str(bam)]
    if overlaps_once:
        args.insert(2, "-s")
    return [int(line.split("\t")[2]) for line in run_tool(*args).splitlines() if line]


def flagstat_totals(bam: Path) -> dict[str, int]:
    """``samtools flagstat -O tsv`` as name → QC-passed + QC-failed count."""
    totals: dict[str, int] = {}
    for line in run_tool("samtools", "flagstat", "-O", "tsv", str(bam)).splitlines():
        passed, failed, name = line.split("\t")
        if passed.isdigit():
            totals[name] = int(passed) + int(failed)
    return totals
