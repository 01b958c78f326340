"""The trio's variants: planted ones and decoys in the truth, Mendelian background, answer key,
and the population-AF, ClinVar and common-SNP resources that make the expected tiers right."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pysam
import pytest

from bp2.demo import DemoCase
from tests.demo.helpers import bases, canonical, read_gtf, read_tsv, translate

SAMPLES = ("proband", "father", "mother")
DE_NOVO_LABELS = {"P1", "P5", "D6", "D7"}
REQUIRED_KINDS = {
    "de_novo", "homozygous_recessive", "compound_heterozygous", "x_linked_hemizygous",
    "mitochondrial", "clinvar_pathogenic", "decoy_unaffected_carrier",
    "decoy_single_het_recessive", "decoy_population_af", "decoy_non_pass",
    "decoy_clinvar_benign", "decoy_off_panel",
}
MOI_FOR_KIND = {
    "de_novo": "MONOALLELIC, autosomal or pseudoautosomal, NOT imprinted",
    "homozygous_recessive": "BIALLELIC, autosomal or pseudoautosomal",
    "compound_heterozygous": "BIALLELIC, autosomal or pseudoautosomal",
    "clinvar_pathogenic": "BIALLELIC, autosomal or pseudoautosomal",
    "x_linked_hemizygous":
        "X-LINKED: hemizygous mutation in males, biallelic mutations in females",
    "mitochondrial": "MITOCHONDRIAL",
}
ACCEPTED_REVIEW = {  # GEL's known-pathogenic bypass (Criterion 6)
    "practice_guideline", "reviewed_by_expert_panel",
    "criteria_provided,_multiple_submitters,_no_conflicts",
    "criteria_provided,_conflicting_classifications", "criteria_provided,_single_submitter",
    "no_assertion_criteria_provided",
}


def _truth(case: DemoCase) -> dict[tuple[str, int, str, str], pysam.VariantRecord]:
    with pysam.VariantFile(str(case.truth_vcf)) as vcf:
        assert list(vcf.header.samples) == list(SAMPLES)
        return {(r.chrom, r.pos, r.ref, r.alts[0]): r for r in vcf}


def _alleles(record: pysam.VariantRecord, sample: str) -> tuple[int, ...]:
    return tuple(a for a in record.samples[sample]["GT"] if a is not None)


def _key(row: dict[str, str]) -> tuple[str, int, str, str]:
    return (row["chrom"], int(row["pos"]), row["ref"], row["alt"])


def _panel(case: DemoCase) -> dict[str, dict[str, str]]:
    record = json.loads(case.panel.read_text())
    return {g["entity_name"]: g for g in record["genes"]}


@pytest.mark.verifies("SRS-064")
def test_answer_key_lists_every_kind_with_a_tier_and_a_reason(case: DemoCase) -> None:
    """It lists every planted kind and decoy with a tier, segregation and reason."""
    rows = read_tsv(case.expected_tiers)
    assert list(rows[0])[:9] == ["chrom", "pos", "ref", "alt", "gene", "kind", "expected_tier",
                                 "segregation", "reason"]
    kinds = {r["kind"] for r in rows}
    assert kinds >= REQUIRED_KINDS
    assert all(r["expected_tier"] in {"Tier1", "Tier2", "Tier3", "none"} for r in rows)
    assert all(r["reason"] and r["segregation"] and r["consequence"] for r in rows)
    for row in rows:
        decoy = row["kind"].startswith("decoy")
        assert row["expected_tier"] in ({"none", "Tier3"} if decoy else {"Tier1", "Tier2"})
    comp = [r for r in rows if r["kind"] == "compound_heterozygous"]
    assert sorted((r["father_gt"], r["mother_gt"]) for r in comp) in (
        [("0|0", "0|1"), ("0|1", "0|0")], [("0|0", "1|0"), ("0|1", "0|0")],
        [("0|0", "0|1"), ("1|0", "0|0")], [("0|0", "1|0"), ("1|0", "0|0")])
    assert {r["gene"] for r in comp} and len({r["gene"] for r in comp}) == 1


@pytest.mark.verifies("SRS-064")
def test_every_answer_key_variant_is_in_the_truth_with_its_genotypes(case: DemoCase) -> None:
    """It puts every answer-key variant in the truth VCF with the same genotypes."""
    truth = _truth(case)
    with pysam.FastaFile(str(case.reference)) as fasta:
        for row in read_tsv(case.expected_tiers):
            record = truth[_key(row)]
            assert record.info["LABEL"] == row["label"]
            for sample in SAMPLES:
                gt = record.samples[sample]["GT"]
                text = ("|" if record.samples[sample].phased else "/").join(
                    str(a) for a in gt if a is not None)
                assert text == row[f"{sample}_gt"], (row["label"], sample)
            assert fasta.fetch(row["chrom"], int(row["pos"]) - 1,
                               int(row["pos"]) - 1 + len(row["ref"])) == row["ref"]


@pytest.mark.verifies("SRS-064")
def test_truth_is_mendelian_except_the_planted_de_novos(case: DemoCase) -> None:
    """It makes the truth Mendelian except the de novos, which both parents lack."""
    checked = 0
    with pysam.FastaFile(str(case.reference)) as fasta:
        for (chrom, pos, ref, _), record in _truth(case).items():
            assert fasta.fetch(chrom, pos - 1, pos - 1 + len(ref)) == ref
            if "Artefact" in record.filter:
                assert _alleles(record, "father") == _alleles(record, "mother") == (0, 0)
                continue
            son, dad, mum = (record.samples[s]["GT"] for s in SAMPLES)
            label = record.info.get("LABEL")
            if label in DE_NOVO_LABELS:
                assert 1 in son and 1 not in dad and 1 not in mum, label
                continue
            if chrom == "chrM":
                assert son == mum
            elif chrom == "chrY":
                assert son == dad and mum == (None,)
            elif chrom == "chrX" and len(son) == 1:  # hemizygous: his only X is his mother's
                assert son[0] in mum and len(dad) == 1
            else:
                assert son[0] in dad and son[1] in mum, (chrom, pos)
            checked += 1
    assert checked >= 300


@pytest.mark.verifies("SRS-064")
def test_truth_has_background_of_every_kind(case: DemoCase) -> None:
    """It adds Mendelian background SNVs and indels on every contig, away from exons."""
    truth = _truth(case)
    background = [r for r in truth.values() if r.info["KIND"] in ("background", "common")]
    assert 1_000 <= len(background) <= 2_500  # common sites ~1 per 250 bp, private 1 per 8 kb
    assert any(len(r.ref) != len(r.alts[0]) for r in background)
    son = [_alleles(r, "proband") for r in background]
    assert (0, 1) in son or (1, 0) in son
    assert (1, 1) in son
    assert any(r.chrom == "chrX" and len(_alleles(r, "proband")) == 1 for r in background)
    assert any(r.chrom == "chrY" and _alleles(r, "proband") == (1,) for r in background)
    assert any(r.chrom == "chrM" and _alleles(r, "mother") == (1,) == _alleles(r, "proband")
               for r in background)
    assert any(r.chrom == "chrM" and _alleles(r, "father") == (1,) != _alleles(r, "proband")
               for r in background)
    _, transcripts = read_gtf(case.gene_model)
    exons = [(t.chrom, a, b) for t in transcripts.values() for a, b in t.exons]
    for r in background:
        assert not any(c == r.chrom and a - 10 <= r.pos + len(r.ref) and r.pos <= b + 10
                       for c, a, b in exons), (r.chrom, r.pos)


@pytest.mark.verifies("SRS-064")
def test_planted_consequences_hold_on_the_canonical_transcript(case: DemoCase) -> None:
    """It places each planted variant so its consequence holds on the canonical transcript."""
    _, transcripts = read_gtf(case.gene_model)
    with pysam.FastaFile(str(case.reference)) as fasta:
        for row in read_tsv(case.expected_tiers):
            tx = canonical(transcripts, row["gene"])
            pos, ref, alt = int(row["pos"]), row["ref"], row["alt"]
            term = row["consequence"].split(" ")[0]
            exons = tx.ordered(tx.exons)
            mito = tx.chrom == "chrM"
            if term in ("missense_variant", "stop_gained", "synonymous_variant"):
                positions = tx.coding_positions()
                index = positions.index(pos)
                codon_pos = positions[index - index % 3:index - index % 3 + 3]
                codon = bases(fasta, tx.chrom, codon_pos, tx.strand)
                alt_tx = alt if tx.strand == "+" else alt.translate(str.maketrans("ACGT", "TGCA"))
                k = codon_pos.index(pos)
                old = translate(codon, mito=mito)
                new = translate(codon[:k] + alt_tx + codon[k + 1:], mito=mito)
                expected = {"missense_variant": new not in (old, "*"),
                            "stop_gained": new == "*" and old != "*",
                            "synonymous_variant": new == old != "*"}[term]
                assert expected, row["label"]
                if mito:  # the same meaning under the standard code: no table ambiguity
                    assert translate(codon[:k] + alt_tx + codon[k + 1:]) == new
            elif term == "frameshift_variant":
                assert abs(len(ref) - len(alt)) % 3 != 0 and ref[0] == alt[0]
                coding = set(tx.coding_positions())
                touched = range(pos, pos + max(len(ref), 2))
                assert all(p in coding for p in touched), row["label"]
                assert any(a + 9 <= pos and pos + len(ref) <= b - 9 for a, b in tx.exons)
            else:
                offset = {"splice_donor_variant": 1, "splice_acceptor_variant": 1,
                          "splice_donor_5th_base_variant": 5}[term]
                donor = term.startswith("splice_donor")
                sites = []
                for up, down in itertools.pairwise(exons):
                    if tx.strand == "+":
                        sites.append(up[1] + offset if donor else down[0] - offset)
                    else:
                        sites.append(up[0] - offset if donor else down[1] + offset)
                assert pos in sites, row["label"]
                intron_base = bases(fasta, tx.chrom, [pos], tx.strand)
                assert intron_base == "G", row["label"]  # G of GT (+1), of AG (-1), or +5 G


@pytest.mark.verifies("SRS-064")
def test_panel_genes_and_mois_fit_the_expected_tiers(case: DemoCase) -> None:
    """It puts planted genes on the panel as green with the matching PanelApp MOI."""
    panel = _panel(case)
    for row in read_tsv(case.expected_tiers):
        if row["kind"] == "decoy_off_panel":
            assert row["gene"] not in panel
            continue
        entry = panel[row["gene"]]
        assert entry["confidence_level"] == "3"
        if row["kind"] in MOI_FOR_KIND:
            assert entry["mode_of_inheritance"] == MOI_FOR_KIND[row["kind"]], row["label"]


def _info(path: str) -> dict[tuple[str, int, str, str], dict[str, Any]]:
    with pysam.VariantFile(path) as vcf:
        return {(r.chrom, r.pos, r.ref, r.alts[0]): dict(r.info) for r in vcf}


def _first(value: Any) -> float:
    return float(value[0]) if isinstance(value, tuple) else float(value)


@pytest.mark.verifies("SRS-064")
def test_population_af_drives_the_af_decoys(case: DemoCase) -> None:
    """It records per-population AFs that fail the AF decoys and pass the planted variants."""
    af = _info(str(case.population_af))
    with pysam.VariantFile(str(case.population_af)) as vcf:
        declared = set(vcf.header.info)
    pops = ("afr", "amr", "asj", "eas", "fin", "nfe", "sas", "ami", "mid")
    assert {"AC", "AN", "AF", *(f"AF_{p}" for p in pops)} <= declared
    rows = {r["label"]: r for r in read_tsv(case.expected_tiers)}
    d3 = af[_key(rows["D3"])]
    assert 0.019 < _first(d3["AF"]) < 0.021
    d7 = af[_key(rows["D7"])]
    assert _first(d7["AF_asj"]) > 0.003 and _first(d7["AF"]) < 0.001
    p2 = af[_key(rows["P2"])]
    assert 0.001 < max(_first(p2[f"AF_{p}"]) for p in pops) < 0.01
    p6 = af[_key(rows["P6"])]
    assert _first(p6["AF_nfe"]) > 0.01  # only the ClinVar bypass can tier it
    for label in ("P1", "P4", "P5", "D1", "D2", "D5", "D6"):
        assert _key(rows[label]) not in af  # absent: counts as AF 0
    p1 = rows["P1"]
    trap = [k for k in af if k[:3] == _key(p1)[:3] and k[3] != p1["alt"]]
    assert trap and _first(af[trap[0]]["AF"]) > 0.01  # same position, other ALT


@pytest.mark.verifies("SRS-064")
def test_clinvar_records_drive_the_clinvar_cases(case: DemoCase) -> None:
    """It writes ClinVar records that make P6 and D6 pathogenic and D5 benign."""
    clinvar = _info(str(case.clinvar))
    for info in clinvar.values():
        assert {"CLNSIG", "CLNREVSTAT", "GENEINFO", "CLNDN", "ALLELEID"} <= set(info)
    rows = {r["label"]: r for r in read_tsv(case.expected_tiers)}

    def sig(label: str) -> tuple[str, str]:
        info = clinvar[_key(rows[label])]
        return ",".join(info["CLNSIG"]), ",".join(info["CLNREVSTAT"])

    assert sig("P6")[0] == "Pathogenic" and sig("P6")[1] in ACCEPTED_REVIEW
    assert sig("D6")[0] == "Pathogenic" and sig("D6")[1] in ACCEPTED_REVIEW
    assert sig("D5")[0] == "Benign"
    d3 = _key(rows["D3"])
    assert d3 not in clinvar
    assert any(k[:3] == d3[:3] and k[3] != d3[3] for k in clinvar)
    assert all(str(info["GENEINFO"]).split(":")[0] == rows[label]["gene"]
               for label in ("P6", "D5", "D6") for info in [clinvar[_key(rows[label])]])


@pytest.mark.verifies("SRS-064")
def test_common_snps_are_carried_at_realistic_genotype_frequencies(case: DemoCase) -> None:
    """It lists common SNPs that the trio carries in Hardy–Weinberg-like proportions."""
    truth = _truth(case)
    sites = _info(str(case.common_snps))
    assert len(sites) >= 150
    assert all(0.05 <= _first(info["AF"]) <= 0.5 for info in sites.values())
    assert all(len(k[2]) == len(k[3]) == 1 and k[0] in ("chr1", "chr2") for k in sites)
    mean_af = sum(_first(i["AF"]) for i in sites.values()) / len(sites)
    for sample in SAMPLES:
        calls = [_alleles(truth[k], sample) if k in truth else (0, 0) for k in sites]
        assert sum(c.count(1) == 1 for c in calls) > 0.15 * len(calls)
        assert sum(c == (1, 1) for c in calls) > 0.03 * len(calls)
    parental = [a for k in sites for s in ("father", "mother")
                for a in (_alleles(truth[k], s) if k in truth else (0, 0))]
    assert abs(sum(parental) / len(parental) - mean_af) < 0.08
