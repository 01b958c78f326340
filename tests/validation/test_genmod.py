"""The genmod comparison shared by VAL-005 and the tier tests: conversion, tables, explanations."""

from __future__ import annotations

from pathlib import Path

import pytest

from bp2.errors import InputError
from bp2.validation.genmod import Comparison, convert, genmod_models, write_tier_case

HEADER = ("##fileformat=VCFv4.1\n##contig=<ID=1>\n"
          "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tfather\tmother\tproband\tkid_2\n")
RECORDS = ("1\t879537\t.\tT\tC\t100\tPASS\tAnnotation=SAMD11;Exonic\tGT\t0/1\t0/1\t1/1\t0/0\n"
           "1\t879541\t.\tG\tA\t100\tPASS\tAnnotation=SAMD11,NOC2L\tGT\t./.\t0/1\t1/1\t0/0\n")


@pytest.mark.verifies("SRS-342")
def test_comparison_counts_unexplained_and_unmatched() -> None:
    """It tabulates each model per record and separates unexplained from explained disagreements."""
    genmod = {"1:1": frozenset({"AR_hom"}), "1:2": frozenset({"AD_dn"}), "1:3": frozenset()}
    bp2 = {"1:1": frozenset({"SimpleRecessive"}), "1:3": frozenset({"deNovo"})}
    explanations = {("de novo", "1:2"): "reviewed", ("AD", "1:9"): "no longer seen"}
    result = Comparison.of(genmod, bp2, explanations)
    assert result.disagreements == {("de novo", "1:2"), ("de novo", "1:3")}
    assert result.unexplained == {("de novo", "1:3")}
    assert result.unmatched == {("AD", "1:9")}
    figures = result.figures()
    assert figures["genmod.records"] == 3
    assert (figures["genmod.de_novo.both"], figures["genmod.de_novo.genmod_only"],
            figures["genmod.de_novo.bp2_only"], figures["genmod.de_novo.neither"]) == (0, 1, 1, 1)
    assert figures["genmod.de_novo.agreement"] == pytest.approx(1 / 3)
    assert (figures["genmod.ar_hom.both"], figures["genmod.ar_hom.neither"]) == (1, 2)
    assert figures["genmod.x_linked.neither"] == 3
    assert (figures["genmod.disagreements"], figures["genmod.unexplained"],
            figures["genmod.explanations_unmatched"]) == (2, 1, 1)


@pytest.mark.verifies("SRS-342")
def test_convert_keeps_the_family_and_writes_csq() -> None:
    """It keeps the family's samples and writes genmod's gene annotation as one CSQ per gene."""
    text = convert(HEADER + RECORDS, ["father", "mother", "proband"])
    lines = text.splitlines()
    assert lines[-3].split("\t")[9:] == ["father", "mother", "proband"]
    exonic, intronic = (line.split("\t") for line in lines[-2:])
    assert exonic[9:] == ["0/1", "0/1", "1/1"]
    assert exonic[7].endswith(";CSQ=C|missense_variant||SAMD11||Transcript|SAMD11-T1|"
                              "protein_coding||||||YES")
    assert intronic[7].count("intron_variant") == 2
    assert any(line.startswith("##contig=<ID=MT,length=16569") for line in lines)
    with pytest.raises(ValueError, match="'child'"):
        convert(HEADER + RECORDS, ["father", "mother", "child"])


@pytest.mark.verifies("SRS-342")
def test_genmod_models_reads_one_family() -> None:
    """It reads the named family's GeneticModels and leaves records without them empty."""
    text = (HEADER + "1\t1\t.\tA\tG\t1\tPASS\tGeneticModels=1:AR_hom|AR_hom_dn,2:AD\tGT\n"
            "1\t2\t.\tA\tG\t1\tPASS\tAnnotation=X\tGT\n")
    assert genmod_models(text) == {"1:1": {"AR_hom", "AR_hom_dn"}, "1:2": frozenset()}
    assert genmod_models(text, "2")["1:1"] == {"AD"}


@pytest.mark.verifies("SRS-342")
def test_write_tier_case_takes_one_family(tmp_path: Path) -> None:
    """It writes the family's VCF, PED and inputs.json, and refuses a family the PED lacks."""
    vcf = tmp_path / "in.vcf"
    vcf.write_text(HEADER + RECORDS)
    ped = tmp_path / "in.ped"
    ped.write_text("#FamilyID\tSampleID\tFather\tMother\tSex\tPhenotype\n"
                   "1\tproband\tfather\tmother\t1\t2\n1\tmother\t0\t0\t2\t1\n"
                   "1\tfather\t0\t0\t1\t1\n2\tkid_2\t0\t0\t1\t2\n")
    inputs = write_tier_case(vcf, ped, tmp_path / "panels.json", tmp_path / "rules.yaml",
                             tmp_path / "case")
    assert inputs == tmp_path / "case" / "inputs.json"
    assert (tmp_path / "case" / "genmod_family.ped").read_text().count("\n") == 3
    header = (tmp_path / "case" / "genmod_family.vcf").read_text().splitlines()[-3]
    assert header.split("\t")[9:] == ["proband", "mother", "father"]
    with pytest.raises(InputError, match="no family '3'") as err:
        write_tier_case(vcf, ped, tmp_path / "p", tmp_path / "r", tmp_path / "x", family="3")
    assert err.value.path == str(ped)
