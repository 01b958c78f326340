"""Tests of the tier stage as a whole: inputs refused, outputs, determinism, CLI."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pysam
import pytest

from bp2.case import CaseInputs, SampleRow, Samplesheet, Sex, read_pedigree
from bp2.engine.execute import execute_unit
from bp2.errors import InputError
from bp2.resources import Resource, Resources
from bp2.stages.base import CASE_UNIT, BindContext, StageOutputs
from bp2.stages.panels import PanelsStage
from bp2.stages.qc_alignment import QcAlignmentStage
from bp2.stages.tier import TierStage
from bp2.stages.tier.rules import packaged_rules
from tests.stages.tier import answer_key as ak
from tests.stages.tier.helpers import (
    BIALLELIC,
    TRIO,
    Csq,
    Rec,
    panel_record,
    panels_document,
    read_tsv,
    run_tier,
    vcf_text,
    write_case,
)

STAGE = TierStage()


def case(tmp_path: Path, records: tuple[Rec, ...] = ak.RECORDS,
         samples: tuple[str, ...] = ak.SAMPLES, **kw: Any) -> dict[str, Path]:
    return write_case(tmp_path / "in", samples, records, TRIO, ak.panel(), **kw)


def outputs_bytes(out: Any) -> dict[str, bytes]:
    return {name: getattr(out, name).read_bytes()
            for name in ("tiers_tsv", "tiers_json", "segregation_tsv")}


@pytest.mark.verifies("SRS-247", "SRS-248", "SRS-249", "SRS-250", "SRS-253")
def test_answer_key(tmp_path: Path) -> None:
    """It tiers the hand-made trio exactly as worked out by hand (answer key)."""
    inputs, params = ak.ANSWER_KEY.build(tmp_path / "in")
    outputs, _ = execute_unit(STAGE, inputs, params, tmp_path / "out", unit="answer-key")
    ak.ANSWER_KEY.check(outputs)


@pytest.mark.verifies("SRS-252")
def test_record_fields(tmp_path: Path) -> None:
    """It writes each tier record with gene, transcript, consequence, HGVS, genotypes, filter,
    penetrance, MOI, panel and version, and the frequencies tested."""
    records = (Rec("chr1", 3000, "G", "A", ak.trio("0/1", "0/0", "0/0"),
                   (Csq("missense_variant", "GENEB", ak.GENES["GENEB"], "ENST00000000002",
                        hgvsc="ENST00000000002.1:c.10G>A", hgvsp="ENSP1:p.Gly4Ser"),),
                   {"gnomAD_AF_nfe": "0.0005"}),)
    out = run_tier(case(tmp_path, records), tmp_path / "out")
    (row,) = read_tsv(out.tiers_tsv)  # type: ignore[attr-defined]
    assert row["gene"] == "GENEB" and row["transcript"] == "ENST00000000002"
    assert row["consequence"] == "missense_variant" and row["hgvsp"] == "ENSP1:p.Gly4Ser"
    assert row["hgvsc"] == "ENST00000000002.1:c.10G>A"
    assert row["genotypes"] == "child=0/1;father=0/0;mother=0/0"
    assert row["segregation"] == "deNovo" and row["penetrance"] == "complete"
    assert row["tiering_moi"] == "monoallelic_not_imprinted"
    assert row["panel"] == "Answer key panel v1.0 (1)"
    assert row["frequencies_tested"] == "dominant: gnomAD_AF_nfe=0.0005<=0.001,10 missing(=0)"
    (record,) = json.loads(out.tiers_json.read_text())["records"]  # type: ignore[attr-defined]
    assert record["evidence"][0]["panel"] == {"id": "1", "name": "Answer key panel",
                                              "version": "1.0"}
    assert record["genotypes"]["child"] == {"gt": "0/1", "gq": 60, "dp": 30, "ad": [15, 15]}
    tested = {t["key"]: t for t in record["frequencies_tested"]["dominant"]}
    assert tested["gnomAD_AF_nfe"] == {"key": "gnomAD_AF_nfe", "value": 0.0005,
                                       "threshold": 0.001, "passed": True}
    summary = json.loads(out.summary_json.read_text())  # type: ignore[attr-defined]
    assert summary["tiers"] == {"TIER1": 1, "TIER2": 0, "TIER3": 0}
    assert {a["rule"] for a in summary["limitations"]} >= {"moi_filters_derived",
                                                           "de_novo_genotypes"}


@pytest.mark.verifies("SRS-254")
def test_deterministic_and_order_independent(tmp_path: Path) -> None:
    """It writes identical outputs whatever the order of VCF records and sample columns."""
    first = run_tier(case(tmp_path / "a"), tmp_path / "a" / "out")
    shuffled = list(ak.RECORDS)
    random.Random(7).shuffle(shuffled)
    second = run_tier(case(tmp_path / "b", tuple(shuffled), ("mother", "child", "father")),
                      tmp_path / "b" / "out")
    again = run_tier(case(tmp_path / "c"), tmp_path / "c" / "out")
    assert outputs_bytes(first) == outputs_bytes(second) == outputs_bytes(again)


@pytest.mark.verifies("SRS-231", "SRS-241")
def test_multiallelic_record_split_per_allele(tmp_path: Path) -> None:
    """It reads each ALT of a multi-allelic record on its own, with its own CSQ and AF."""
    gene = ak.GENES["GENEA"]
    record = Rec("chr1", 20000, "A", "G,T",
                 {"child": "1/2:60:30:0,15,15", "father": "0/1:60:30:15,15,0",
                  "mother": "0/2:60:30:15,0,15"},
                 (), {"gnomAD_AF_nfe": "0.001,0.5",
                      "CSQ": f"G|missense_variant|MODERATE|GENEA|{gene}|Transcript|ENST1|"
                             "protein_coding||||||YES,"
                             f"T|stop_gained|HIGH|GENEA|{gene}|Transcript|ENST1|"
                             "protein_coding||||||YES"})
    out = run_tier(case(tmp_path, (record,)), tmp_path / "out")
    segregation = read_tsv(out.segregation_tsv)  # type: ignore[attr-defined]
    # per allele: G child 1 | father 1 | mother 0; T child 1 | father 0 | mother 1.
    # Unaffected carrier parents rule out the dominant filters (complete penetrance), and T
    # (NFE AF 0.5 > 0.01) is no eligible compound-het partner: nothing segregates.
    assert segregation == []
    cheap = Rec("chr1", 20000, "A", "G,T", record.gts, (),
                {**record.info, "gnomAD_AF_nfe": "0.001,0.002"})
    out = run_tier(case(tmp_path / "ok", (cheap,)), tmp_path / "ok" / "out")
    rows = read_tsv(out.tiers_tsv)  # type: ignore[attr-defined]
    assert {(r["alt"], r["tier"], r["compound_partner"]) for r in rows} == {
        ("G", "TIER2", "chr1:20000:A:T"), ("T", "TIER1", "chr1:20000:A:G")}


@pytest.mark.verifies("SRS-238", "SRS-239")
def test_sex_discordance_turns_x_linked_off(tmp_path: Path) -> None:
    """It flags an inferred sex that disagrees with the PED and tiers nothing outside X PARs."""
    paths = case(tmp_path)
    sex = tmp_path / "in" / "child.sex.json"
    sex.write_text(json.dumps({"sample": "child", "inferred_sex": "female", "x_copies": 2}))
    out = run_tier({**paths, "inferred_sex": (sex,)}, tmp_path / "out")
    summary = json.loads(out.summary_json.read_text())  # type: ignore[attr-defined]
    assert summary["sex"]["x_linked_segregation"] is False
    assert {s["sample"]: s["flag"] for s in summary["sex"]["samples"]} == {
        "child": "SEX_DISCORDANT", "father": None, "mother": None}
    assert summary["records"]["x_not_segregated"] == 1
    positions = {r["pos"] for r in read_tsv(out.tiers_tsv)}  # type: ignore[attr-defined]
    assert "3000000" not in positions and "1000" in positions
    agreeing = tmp_path / "in" / "agree.json"
    agreeing.write_text(json.dumps({"sample": "child", "inferred_sex": "MALE"}))
    out = run_tier({**paths, "inferred_sex": (agreeing,)}, tmp_path / "out2")
    assert "3000000" in {r["pos"] for r in read_tsv(out.tiers_tsv)}  # type: ignore[attr-defined]
    bad = tmp_path / "in" / "bad.json"
    bad.write_text(json.dumps({"sample": "nobody", "inferred_sex": "male"}))
    with pytest.raises(InputError, match="'nobody', who is not in the PED"):
        run_tier({**paths, "inferred_sex": (bad,)}, tmp_path / "out3")


@pytest.mark.verifies("SRS-238")
def test_unknown_ped_sex_turns_x_linked_off(tmp_path: Path) -> None:
    """It flags a PED sex of 0 (unknown) and does not segregate X outside the PARs."""
    paths = case(tmp_path)
    paths["pedigree"].write_text("FAM\tchild\tfather\tmother\t0\t2\n"
                                 "FAM\tfather\t0\t0\t1\t1\nFAM\tmother\t0\t0\t2\t1\n")
    out = run_tier(paths, tmp_path / "out")
    summary = json.loads(out.summary_json.read_text())  # type: ignore[attr-defined]
    assert summary["sex"]["samples"][0] == {"sample": "child", "ped": "unknown",
                                            "inferred": None, "flag": "SEX_UNKNOWN"}
    assert summary["sex"]["x_linked_segregation"] is False


@pytest.mark.verifies("SRS-232")
def test_pars_from_ploidy_file_or_build(tmp_path: Path) -> None:
    """It takes the X PARs from the ploidy file, else from the GRCh38/GRCh37 X length."""
    gene = ak.GENES["GENEX"]
    records = tuple(Rec("chrX", pos, "G", "A", {"child": "0/1", "father": "0/1",
                                                "mother": "0/0"},
                        (Csq("missense_variant", "GENEX", gene, "ENST4"),))
                    for pos in (5_000, 20_000))
    demo = {"chr1": 220_000, "chrX": 156_000, "chrM": 16_569}
    paths = case(tmp_path, records, contigs=demo, fmt="GT")
    with pytest.raises(InputError, match="pseudo-autosomal regions of chrX"):
        run_tier(paths, tmp_path / "none")
    ploidy = tmp_path / "in" / "ploidy.txt"
    ploidy.write_text("*\t*\t*\tM\t2\nchrX\t12001\t150000\tM\t1\n")
    out = run_tier({**paths, "ploidy": ploidy}, tmp_path / "out", penetrance="incomplete")
    filters = {(r["pos"], r["segregation"])
               for r in read_tsv(out.segregation_tsv)}  # type: ignore[attr-defined]
    # 5,000 is in the demo PAR1: autosomal filters (father carrier: inherited dominant);
    # 20,000 is X: the son's het call counts as hemizygous (X-linked monoallelic)
    assert ("5000", "InheritedAutosomalDominant") in filters
    assert ("20000", "XLinkedMonoallelic") in filters
    assert not {f for p, f in filters if p == "5000" and f.startswith("XLinked")}


@pytest.mark.verifies("SRS-229")
def test_refuses_vcf_without_annotation(tmp_path: Path) -> None:
    """It refuses a VCF without consequences, or without any AF key unless told otherwise."""
    paths = case(tmp_path)
    text = vcf_text(ak.SAMPLES, [Rec(r.chrom, r.pos, r.ref, r.alt, r.gts) for r in ak.RECORDS])
    bare = "\n".join(line for line in text.splitlines()
                     if "ID=CSQ" not in line and "ID=gnomAD" not in line
                     and "ID=INTERNAL_AF" not in line) + "\n"
    paths["vcf"].write_text(bare)
    with pytest.raises(InputError, match="no consequence annotation"):
        run_tier(paths, tmp_path / "out")
    annotated = vcf_text(ak.SAMPLES, ak.RECORDS)
    paths["vcf"].write_text("\n".join(line for line in annotated.splitlines()
                                      if "ID=gnomAD" not in line
                                      and "ID=INTERNAL_AF" not in line) + "\n")
    with pytest.raises(InputError, match="none of the population-frequency keys"):
        run_tier(paths, tmp_path / "out2")
    out = run_tier(paths, tmp_path / "out3", require_frequency_annotation=False)
    summary = json.loads(out.summary_json.read_text())  # type: ignore[attr-defined]
    assert any("counted as 0" in a["reason"] for a in summary["limitations"])


@pytest.mark.verifies("SRS-227", "SRS-229")
def test_reads_snpeff_ann(tmp_path: Path) -> None:
    """It tiers from SnpEff ANN when the VCF has no CSQ."""
    paths = case(tmp_path, ak.RECORDS[2:3])
    gene = ak.GENES["GENEB"]
    text = paths["vcf"].read_text().replace(
        '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl '
        "VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|"
        'INTRON|HGVSc|HGVSp|HGNC_ID|CANONICAL">',
        '##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: \'Allele | '
        "Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | "
        "Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / "
        "CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' \">")
    line = next(x for x in text.splitlines() if x.startswith("chr1\t3000"))
    info = line.split("\t")[7]
    ann = (f"ANN=A|missense_variant|MODERATE|GENEB|{gene}|transcript|ENST00000000002|"
           "protein_coding|1/1|c.1G>A|p.Gly1Ser||||||")
    text = text.replace(line, line.replace(info, info.split(";CSQ=")[0] + ";" + ann))
    paths["vcf"].write_text(text)
    out = run_tier(paths, tmp_path / "out")
    (row,) = read_tsv(out.tiers_tsv)  # type: ignore[attr-defined]
    assert (row["tier"], row["hgvsp"], row["segregation"]) == ("TIER1", "p.Gly1Ser", "deNovo")


@pytest.mark.verifies("SRS-257")
def test_bgzip_vcf_with_explicit_index(tmp_path: Path) -> None:
    """It reads a bgzip VCF with its index named explicitly, with the same result."""
    paths = case(tmp_path)
    plain = run_tier(paths, tmp_path / "plain")
    sorted_vcf = tmp_path / "in" / "sorted.vcf"
    body = paths["vcf"].read_text().splitlines()
    header = [x for x in body if x.startswith("#")]
    order = {"chr1": 0, "chrX": 2, "chrM": 4}
    records = sorted((x for x in body if not x.startswith("#")),
                     key=lambda x: (order[x.split("\t")[0]], int(x.split("\t")[1])))
    sorted_vcf.write_text("\n".join(header + records) + "\n")
    gz = tmp_path / "in" / "case.vcf.gz"
    pysam.tabix_compress(str(sorted_vcf), str(gz))
    index = Path(pysam.tabix_index(str(gz), preset="vcf", index=str(tmp_path / "in" / "x.tbi")))
    out = run_tier({**paths, "vcf": gz, "vcf_index": index}, tmp_path / "gz")
    assert outputs_bytes(out) == outputs_bytes(plain)


@pytest.mark.verifies("SRS-233")
def test_pedigree_problems(tmp_path: Path) -> None:
    """It refuses a PED with two families or without an affected individual."""
    paths = case(tmp_path)
    paths["pedigree"].write_text("F1\tchild\t0\t0\t1\t2\nF2\tfather\t0\t0\t1\t1\n"
                                 "F2\tmother\t0\t0\t2\t1\n")
    with pytest.raises(InputError, match="2 families"):
        run_tier(paths, tmp_path / "a")
    paths["pedigree"].write_text("F\tchild\tfather\tmother\t1\t1\nF\tfather\t0\t0\t1\t1\n"
                                 "F\tmother\t0\t0\t2\t1\n")
    with pytest.raises(InputError, match="no individual in the PED is affected"):
        run_tier(paths, tmp_path / "b")


@pytest.mark.verifies("SRS-251")
def test_refuses_panels_json_from_other_rules(tmp_path: Path) -> None:
    """It refuses a panels.json whose MOI mapping disagrees with the rules file."""
    paths = case(tmp_path)
    document = panels_document(panel_record([("G", "ENSG1", "3", BIALLELIC)]))
    document["panels"][0]["green_genes"][0]["tiering_moi"] = "monoallelic"
    paths["panels"].write_text(json.dumps(document))
    with pytest.raises(InputError, match="same rules file"):
        run_tier(paths, tmp_path / "out")


@pytest.mark.verifies("SRS-228", "SRS-258")
def test_cli_refuses_sample_mismatch(tmp_path: Path, bp2_exe: str) -> None:
    """Through the CLI, VCF samples differing from the PED exit 3 naming both sides."""
    paths = case(tmp_path)
    paths["pedigree"].write_text("FAM\tchild\tdad\tmother\t1\t2\nFAM\tdad\t0\t0\t1\t1\n"
                                 "FAM\tmother\t0\t0\t2\t1\n")
    inputs = tmp_path / "inputs.json"
    inputs.write_text(json.dumps({k: str(v) for k, v in paths.items()}))
    proc = subprocess.run([bp2_exe, "stage", "run", "tier", "--inputs", str(inputs),
                           "--outdir", str(tmp_path / "out")], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 3
    message = " ".join(proc.stderr.split())
    assert "in the VCF only: father" in message and "in the PED only: dad" in message


@pytest.mark.verifies("SRS-257")
def test_cli_reads_only_named_files(tmp_path: Path, bp2_exe: str) -> None:
    """Through the CLI, in a directory holding only the named files, it gives the same output."""
    work = tmp_path / "work"
    paths = case(tmp_path)
    work.mkdir()
    for path in paths.values():
        shutil.copyfile(path, work / path.name)
    (work / "inputs.json").write_text(json.dumps({k: v.name for k, v in paths.items()}))
    before = sorted(p.name for p in work.iterdir())
    proc = subprocess.run([bp2_exe, "stage", "run", "tier", "--inputs", "inputs.json",
                           "--outdir", "out"], cwd=work, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    direct = run_tier(paths, tmp_path / "direct")
    for name, data in outputs_bytes(direct).items():
        assert (work / "out" / getattr(direct, name).name).read_bytes() == data
    assert sorted(p.name for p in work.iterdir()) == sorted([*before, "out"])
    assert not [p for p in (work / "out").rglob("*") if "bp2tmp" in p.name]


@pytest.mark.verifies("SRS-246")
def test_vcf_af_equal_to_threshold_passes(tmp_path: Path) -> None:
    """It compares AFs as written in the VCF: 0.001 (float32 0.00100000005) passes 0.001."""
    base = ak.RECORDS[2]  # de novo missense in GENEB, dominant threshold 0.001
    at = Rec(base.chrom, base.pos, base.ref, base.alt, base.gts, base.csq,
             {"gnomAD_AF_nfe": "0.001"})
    above = Rec(base.chrom, base.pos + 1, base.ref, base.alt, base.gts, base.csq,
                {"gnomAD_AF_nfe": "0.00101"})
    out = run_tier(case(tmp_path, (at, above)), tmp_path / "out")
    rows = read_tsv(out.tiers_tsv)  # type: ignore[attr-defined]
    assert [(r["pos"], r["frequencies_tested"]) for r in rows] == [
        ("3000", "dominant: gnomAD_AF_nfe=0.001<=0.001,10 missing(=0)")]


def _overall_only_records() -> tuple[Rec, ...]:
    """Records whose only gnomAD value is the overall AF (a resource with AF but no AF_<pop>)."""
    de_novo, hom = ak.trio("0/1", "0/0", "0/0"), ak.trio("1/1", "0/1", "0/1")
    geneb, genea = ak.csq("missense_variant", "GENEB"), ak.csq("stop_gained", "GENEA")
    return (
        Rec("chr1", 1000, "A", "T", hom, genea, {"gnomAD_AF": "0.01"}),  # recessive: at 0.01
        Rec("chr1", 1100, "A", "T", hom, genea, {"gnomAD_AF": "0.0101"}),  # > recessive 0.01
        Rec("chr1", 1200, "A", "T", hom, genea, {"gnomAD_AF": "0.908"}),  # CCT8L2-like, common
        Rec("chr1", 3000, "G", "A", de_novo, geneb, {"gnomAD_AF": "0.001"}),  # dominant: at
        Rec("chr1", 3100, "G", "A", de_novo, geneb, {"gnomAD_AF": "0.0011"}),  # > dominant
        Rec("chr1", 3200, "G", "A", de_novo, geneb, {"gnomAD_AF": "0.005"}),  # > dominant only
        Rec("chr1", 3300, "G", "A", de_novo, ak.csq("synonymous_variant", "GENEB"),
            {"gnomAD_AF": "0.3", **ak.PATHOGENIC}),  # common but ClinVar route
        Rec("chr1", 8000, "G", "C", de_novo, ak.csq("stop_gained", "GENEZ"),
            {"gnomAD_AF": "0.2"}),  # no panel: Tier 3 only if within the dominant threshold
        Rec("chrM", 100, "A", "G", {"child": "1:60:30:0,30", "father": "0:60:30:30,0",
                                    "mother": "0:60:30:30,0"},
            ak.csq("missense_variant", "GENEM"), {"gnomAD_AF": "0.5"}),  # mito: not tested
    )


@pytest.mark.verifies("SRS-283", "SRS-284")
def test_overall_gnomad_af_tested_per_moi_class(tmp_path: Path) -> None:
    """With only the overall gnomAD_AF (accepted), it tiers a variant at or below its MOI
    class's overall threshold, never one above it except by the ClinVar route, and says so."""
    paths = case(tmp_path, _overall_only_records())
    out = run_tier(paths, tmp_path / "out", require_frequency_annotation=False)
    rows = read_tsv(out.tiers_tsv)  # type: ignore[attr-defined]
    assert {(r["pos"], r["tier"], r["segregation"], r["route"]) for r in rows} == {
        ("1000", "TIER1", "SimpleRecessive", "frequency+impact"),
        ("3000", "TIER1", "deNovo", "frequency+impact"),
        ("3300", "TIER1", "deNovo", "clinvar"),
        ("100", "TIER2", "MitochondrialGenome", "frequency+impact"),
    }
    tested = {r["pos"]: r["frequencies_tested"] for r in rows}
    assert "gnomAD_AF=0.01<=0.01" in tested["1000"] and "gnomAD_AF=0.001<=0.001" in tested["3000"]
    assert "gnomAD_AF=0.3>0.001" in tested["3300"]  # shown failed: tiered by ClinVar only
    assert "gnomAD_AF" not in tested["100"]  # no overall threshold for the mitochondrial class
    summary = json.loads(out.summary_json.read_text())  # type: ignore[attr-defined]
    assert summary["annotation"]["overall_af_alleles"] == 9
    assert summary["annotation"]["overall_af_only_alleles"] == 9
    reasons = {a["rule"]: a["reason"] for a in summary["limitations"]}
    assert "frequency_threshold_overall" in reasons  # the bp2 assumption, listed
    assert any(a["rule"] == "frequency_thresholds" and a["reason"].startswith("9 of 9 allele(s)")
               for a in summary["limitations"])


@pytest.mark.verifies("SRS-284")
def test_refuses_overall_only_frequencies_unless_accepted(tmp_path: Path) -> None:
    """It refuses alleles with an overall gnomAD_AF but no per-population AF, naming the count,
    the first allele and the way out, and writes no output."""
    paths = case(tmp_path, _overall_only_records())
    with pytest.raises(InputError) as caught:
        run_tier(paths, tmp_path / "out")
    error = caught.value
    assert "9 of 9 allele(s) with an overall gnomAD_AF carry none of the per-population" in (
        error.title)
    assert "gnomAD_AF_nfe" in error.title and "the first at chr1:1000 A>T" in error.title
    assert "--accept-missing-frequencies" in str(error.hint)
    assert "require_frequency_annotation: false" in str(error.hint)
    assert not (tmp_path / "out" / "tiers.tsv").exists()


@pytest.mark.verifies("SRS-283", "SRS-246")
def test_overall_af_tested_beside_population_afs(tmp_path: Path) -> None:
    """With per-population AFs present (no refusal), it still fails a variant whose overall
    gnomAD_AF exceeds the MOI class's threshold, and passes one within every threshold."""
    de_novo, geneb = ak.trio("0/1", "0/0", "0/0"), ak.csq("missense_variant", "GENEB")
    zero = dict.fromkeys(("gnomAD_AF_afr", "gnomAD_AF_nfe", "gnomAD_AF_sas"), "0")
    records = (
        Rec("chr1", 3000, "G", "A", de_novo, geneb,
            {**zero, "gnomAD_AF_eas": "0.002", "gnomAD_AF": "0.0015"}),  # eas at 0.002, overall >
        Rec("chr1", 3100, "G", "A", de_novo, geneb,
            {**zero, "gnomAD_AF_eas": "0.002", "gnomAD_AF": "0.0001"}),
    )
    out = run_tier(case(tmp_path, records), tmp_path / "out")
    rows = read_tsv(out.tiers_tsv)  # type: ignore[attr-defined]
    assert [(r["pos"], r["tier"]) for r in rows] == [("3100", "TIER1")]
    summary = json.loads(out.summary_json.read_text())  # type: ignore[attr-defined]
    assert summary["annotation"]["overall_af_only_alleles"] == 0
    assert not [a for a in summary["limitations"] if a["rule"] == "frequency_thresholds"]


class _Annotated(StageOutputs):
    vcf: Path
    vcf_index: Path


@pytest.mark.verifies("SRS-237", "SRS-239")
def test_bind_from_case_and_upstream(tmp_path: Path) -> None:
    """It builds its inputs from the annotate, panels and qc_alignment outputs and the case."""
    ped = tmp_path / "case.ped"
    ped.write_text("FAM\tchild\tfather\tmother\t1\t2\nFAM\tfather\t0\t0\t1\t1\n"
                   "FAM\tmother\t0\t0\t2\t1\n")
    pedigree = read_pedigree(ped)
    sheet = Samplesheet(path=tmp_path / "s.csv", rows=tuple(
        SampleRow(sample=r.individual, sex=r.sex, bam=tmp_path / "x.bam",
                  bam_index=tmp_path / "x.bai", line=2) for r in pedigree.records))
    sha = "0" * 64
    resources = Resources(
        reference=Resource(path=tmp_path / "ref.fa", sha256=sha, build="GRCh38", version="1"),
        ploidy=Resource(path=tmp_path / "ploidy.txt", sha256=sha, build="GRCh38", version="1"))
    upstream = {
        ("annotate", CASE_UNIT): _Annotated(vcf=tmp_path / "a.vcf.gz",
                                            vcf_index=tmp_path / "a.vcf.gz.tbi"),
        ("panels", CASE_UNIT): PanelsStage.Outputs(panels_json=tmp_path / "panels.json"),
        ("qc_alignment", "child"): QcAlignmentStage.Outputs(
            qc_json=tmp_path / "child.qc.json", qc_tsv=tmp_path / "child.qc.tsv",
            panel_coverage=tmp_path / "child.cov.tsv", coverage_plot=tmp_path / "child.png"),
    }
    ctx = BindContext(case=CaseInputs(samplesheet=sheet, pedigree=pedigree, resources=resources,
                                      panels=(tmp_path / "p.json",)), upstream=upstream)
    inputs = STAGE.bind(ctx, CASE_UNIT)
    assert inputs.vcf == tmp_path / "a.vcf.gz" and inputs.vcf_index == tmp_path / "a.vcf.gz.tbi"
    assert inputs.panels == tmp_path / "panels.json" and inputs.pedigree == ped
    assert inputs.rules == packaged_rules() and inputs.ploidy == tmp_path / "ploidy.txt"
    assert inputs.inferred_sex == (tmp_path / "child.qc.json",)
    panels_inputs = PanelsStage().bind(ctx, CASE_UNIT)
    assert panels_inputs.panels == (tmp_path / "p.json",) and panels_inputs.gene_model is None


@pytest.mark.verifies("SRS-237")
def test_reads_the_inferred_sex_from_a_qc_alignment_report(tmp_path: Path) -> None:
    """It reads a sample's inferred sex from qc_alignment's qc.json (metrics.sex.inferred_sex)."""
    from bp2.stages.tier.family import parse_inferred_sex

    qc = {"sample": "child", "metrics": {"sex": {"inferred_sex": "male", "karyotype": "XY"}}}
    assert parse_inferred_sex(qc, tmp_path / "child.qc.json") == ("child", Sex.MALE)
    assert parse_inferred_sex({"sample": "m", "inferred_sex": "female"}, tmp_path / "m.json") == (
        "m", Sex.FEMALE)
