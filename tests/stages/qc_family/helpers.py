"""Helpers for the qc_family tests: tiny VCF/PED writers, running the stage, reading its report."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bp2.engine.execute import execute_unit
from bp2.stages.qc_family import QcFamilyInputs, QcFamilyOutputs, QcFamilyParams, QcFamilyStage

STAGE = QcFamilyStage()

GRCH38_CONTIGS = (("chr1", 248_956_422), ("chrX", 156_040_895), ("chrY", 57_227_415),
                  ("chrM", 16_569))


def vcf_text(samples: Sequence[str], rows: Sequence[str],
             contigs: Sequence[tuple[str, int]] = GRCH38_CONTIGS) -> str:
    """A VCF 4.2 text; each row is 'CHROM POS REF ALT FILTER FORMAT S1 S2 …' (spaces)."""
    header = [
        "##fileformat=VCFv4.2",
        *(f"##contig=<ID={name},length={length}>" for name, length in contigs),
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FILTER=<ID=LowQual,Description="Low quality">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allele depths">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples),
    ]
    body = []
    for row in rows:
        chrom, pos, ref, alt, filt, fmt, *calls = row.split()
        body.append("\t".join([chrom, pos, ".", ref, alt, "50", filt, ".", fmt, *calls]))
    return "\n".join([*header, *body]) + "\n"


def write_bgzip(path: Path, text: str) -> Path:
    """Write VCF text bgzip-compressed (as the call stage's output is)."""
    plain = path.with_suffix("")
    plain.write_text(text)
    subprocess.run(["bgzip", "-f", str(plain)], check=True)
    return path


def run_stage(tmp: Path, vcf: Path, ped: Path, *, alignment_sex: Sequence[Path] = (),
              **params: Any) -> tuple[QcFamilyOutputs, dict[str, Any]]:
    """Run the stage through the engine's executor; return its outputs and parsed JSON report."""
    inputs = QcFamilyInputs(vcf=vcf, pedigree=ped, alignment_sex=tuple(alignment_sex))
    outputs, _ = execute_unit(STAGE, inputs, QcFamilyParams(**params), tmp, unit="case")
    assert isinstance(outputs, QcFamilyOutputs)
    return outputs, json.loads(outputs.report_json.read_text())


def pair(report: dict[str, Any], a: str, b: str) -> dict[str, Any]:
    for entry in report["relatedness"]:
        if set(entry["samples"]) == {a, b}:
            result: dict[str, Any] = entry
            return result
    raise AssertionError(f"no pair {a}, {b} in the report")


def sex_of(report: dict[str, Any], sample: str) -> dict[str, Any]:
    result: dict[str, Any] = next(s for s in report["sex"] if s["sample"] == sample)
    return result


def need(tool: str) -> str:
    """Path of a command-line tool, or skip the test naming how to install it."""
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (Debian: apt-get install {tool})")
    return path


def bcftools(*args: str, stdin: bytes | None = None) -> bytes:
    proc = subprocess.run(["bcftools", *args], input=stdin, capture_output=True, check=True)
    return proc.stdout
