"""Answer key of ``qc_family``: the real GIAB Ashkenazi trio against its known pedigree.

Independent sources:

* the pedigree itself — HG002 is the son of HG003 and HG004 (GIAB; slivar's ``ashk-trio.ped``),
  so both parent-child pairs must classify as parent-offspring and the parents as unrelated;
* ``bcftools +mendelian`` (a second tool) for the number of Mendelian-inconsistent genotypes,
  run on the same sites (PASS bi-allelic SNVs, positions with one such record) after
  ``bcftools +setGT`` sets genotypes with GQ < 20 or DP < 10 to missing (the stage's gates);
* the data set's description — contigs 1 and 2 only, so no chrX evidence for the sex check.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from bp2.fileio import canonical_json
from bp2.stages.base import StageInputs, StageOutputs, StageParams
from bp2.stages.qc_family import QcFamilyInputs, QcFamilyOutputs, QcFamilyParams
from tests.stages.conformance import AnswerKey
from tests.testdata import data_file

VCF = "family_trio_vcfs/slivar_ashkenazi_trio/ashk-trio.vcf.gz"
PED = "family_trio_vcfs/slivar_ashkenazi_trio/ashk-trio.ped"


def build(tmp: Path) -> tuple[StageInputs, StageParams]:
    tmp.mkdir(parents=True, exist_ok=True)
    vcf = tmp / "ashk-trio.vcf.gz"
    ped = tmp / "ashk-trio.ped"
    shutil.copyfile(data_file(VCF), vcf)
    shutil.copyfile(data_file(PED), ped)
    return QcFamilyInputs(vcf=vcf, pedigree=ped), QcFamilyParams()


def _bcftools(*args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(["bcftools", *args], input=stdin, capture_output=True,
                          check=True).stdout


def bcftools_mendelian(vcf: Path, mother: str, father: str, child: str,
                       work: Path) -> tuple[int, int]:
    """(inconsistent, all-three-called) by bcftools on the stage's sites and genotype gates."""
    snvs = _bcftools("view", "--no-version", "-f", "PASS,.", "-m2", "-M2", "-v", "snps",
                     str(vcf))
    positions = Counter(
        tuple(line.split("\t")[:2])
        for line in _bcftools("query", "-f", "%CHROM\t%POS\n", stdin=snvs).decode().splitlines()
    )
    shared = work / "shared_positions.tsv"
    shared.write_text("".join(f"{c}\t{p}\n" for (c, p), n in sorted(positions.items()) if n > 1)
                      or "0\t0\n")
    unique = _bcftools("view", "--no-version", "-T", f"^{shared}", stdin=snvs)
    gated = _bcftools("+setGT", "--no-version", "-", "--", "-t", "q", "-n", ".", "-i",
                      "FMT/GQ<20 | FMT/DP<10", stdin=unique)
    listed = _bcftools("+mendelian", "-", "-t", f"{mother},{father},{child}", "-m", "x",
                       stdin=gated).decode()
    inconsistent = sum(1 for line in listed.splitlines() if line and not line.startswith("#"))
    genotypes = _bcftools("query", "-f", "[%GT\t]\n", stdin=gated).decode().splitlines()
    called = sum(1 for line in genotypes if "." not in line)
    return inconsistent, called


def check(outputs: StageOutputs) -> None:
    assert isinstance(outputs, QcFamilyOutputs)
    report = json.loads(outputs.report_json.read_text())
    pairs = {frozenset(p["samples"]): p for p in report["relatedness"]}
    for parent in ("HG003", "HG004"):
        entry = pairs[frozenset({"HG002", parent})]
        assert entry["expected"] == entry["inferred"] == "parent_offspring", entry
        assert entry["status"] == "pass" and 0.2 < entry["kinship"] < 0.3, entry
        assert entry["ibs0"] < 0.001 and entry["n_sites"] > 7000, entry
    parents = pairs[frozenset({"HG003", "HG004"})]
    assert parents["expected"] == parents["inferred"] == "unrelated", parents
    assert parents["kinship"] < 0.0442 and parents["ibs0"] > 0.05, parents

    (trio,) = report["mendelian"]
    with tempfile.TemporaryDirectory() as work:
        inconsistent, called = bcftools_mendelian(data_file(VCF), "HG004", "HG003", "HG002",
                                                  Path(work))
    assert trio["n_inconsistent"] == inconsistent, (trio, inconsistent)
    assert trio["n_sites"] == called, (trio, called)  # no site has all three 0/0 here
    assert trio["status"] == "pass" and trio["rate"] < 0.001

    assert all(s["status"] == "insufficient_data" and s["vcf"]["n_sites"] == 0
               for s in report["sex"]), report["sex"]
    assert report["overall"]["status"] == "insufficient_data"


def normalise(outputs: StageOutputs) -> bytes:
    assert isinstance(outputs, QcFamilyOutputs)
    report = json.loads(outputs.report_json.read_text())
    return (canonical_json(report) + "\n" + outputs.report_tsv.read_text()).encode()


ANSWER_KEY = AnswerKey(
    stage_id="qc_family",
    source="GIAB Ashkenazi trio exome joint calls (slivar test data, contigs 1-2): the known "
    "pedigree (HG002 son of HG003 and HG004) for relatedness, and bcftools +setGT | +mendelian "
    "on the same sites and gates for the Mendelian-inconsistency count",
    build=build,
    check=check,
    normalise=normalise,
)
