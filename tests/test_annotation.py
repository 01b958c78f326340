"""Tests of the annotation contract (bp2.annotation): INFO keys and consequence readers."""

from __future__ import annotations

import pysam
import pytest

from bp2.annotation import (
    POPULATION_AF_KEYS,
    SO_TERMS,
    AnnotationFormatError,
    Impact,
    consequences_for_allele,
    header_format_fields,
    most_severe_impact,
    normalise_term,
    parse_ann,
    parse_bcsq,
    parse_csq,
    population_af_key,
    review_status_text,
    significance_terms,
    vep_allele,
)
from tests.testdata import data_file

pytestmark = pytest.mark.needs_data


@pytest.mark.verifies("SRS-227")
def test_reads_real_vep_csq() -> None:
    """It reads the real VEP 104 CSQ record: fields from the header, gene, transcript, HGVS."""
    path = data_file("annotation/scout_vep104_annotated.vcf")
    with pysam.VariantFile(str(path)) as vcf:
        fields = header_format_fields(vcf.header.info["CSQ"].description)
        record = next(iter(vcf))
        entries = record.info["CSQ"]
    assert fields[:12] == ("Allele", "Consequence", "IMPACT", "SYMBOL", "Gene", "Feature_type",
                           "Feature", "BIOTYPE", "EXON", "INTRON", "HGVSc", "HGVSp")
    consequences = parse_csq(entries, fields)
    first = consequences[0]
    assert first.terms == ("missense_variant",)
    assert first.impact is Impact.MODERATE
    assert (first.symbol, first.gene_id, first.transcript) == (
        "NPHP4", "ENSG00000131697", "ENST00000378156")
    assert first.hgvsc == "ENST00000378156.4:c.3882G>T"
    assert first.hgvsp == "ENSP00000367398.4:p.Arg1294Ser"
    assert first.hgnc_id == "HGNC:19104" and first.canonical
    nmd = next(c for c in consequences if c.transcript == "ENST00000378169")
    assert nmd.terms == ("3_prime_UTR_variant", "NMD_transcript_variant")
    assert nmd.impact is Impact.MODIFIER and nmd.biotype == "nonsense_mediated_decay"
    # The tool's own IMPACT column agrees with Ensembl's table for every entry of the record.
    for entry, parsed in zip(entries, consequences, strict=True):
        assert entry.split("|")[2] == parsed.impact.value


@pytest.mark.verifies("SRS-227")
def test_reads_real_bcftools_bcsq() -> None:
    """It reads bcftools csq BCSQ from the Ashkenazi trio VCF, mapping names to SO terms."""
    path = data_file("family_trio_vcfs/slivar_ashkenazi_trio/ashk-trio.vcf.gz")
    with pysam.VariantFile(str(path)) as vcf:
        record = next(r for r in vcf if r.pos == 69511)
        consequences = parse_bcsq(record.info["BCSQ"])
    assert len(consequences) == 1
    tc = consequences[0]
    assert (tc.terms, tc.symbol, tc.transcript, tc.biotype) == (
        ("missense_variant",), "OR4F5", "ENST00000335137", "protein_coding")
    assert tc.gene_id is None and tc.hgvsc is None and tc.gene_key == "OR4F5"
    mixed = parse_bcsq(["*synonymous&splice_acceptor&coding_sequence|G|ENST1|protein_coding",
                        "@12345"])
    assert len(mixed) == 1
    assert mixed[0].terms == ("synonymous_variant", "splice_acceptor_variant",
                              "coding_sequence_variant")
    assert mixed[0].impact is Impact.HIGH


@pytest.mark.verifies("SRS-227")
def test_reads_snpeff_ann() -> None:
    """It reads SnpEff ANN entries, mapping SnpEff-only names to Ensembl terms."""
    entry = ("T|conservative_inframe_deletion&splice_region_variant|MODERATE|GENE1|"
             "ENSG00000000123.4|transcript|ENST00000000456.7|protein_coding|2/5|c.10_12del|"
             "p.Lys4del|10/900|10/600|4/199||")
    (tc,) = parse_ann([entry])
    assert tc.terms == ("inframe_deletion", "splice_region_variant")
    assert tc.impact is Impact.MODERATE
    assert (tc.gene_id, tc.transcript, tc.hgvsp) == ("ENSG00000000123", "ENST00000000456",
                                                     "p.Lys4del")
    with pytest.raises(AnnotationFormatError, match="16"):
        parse_ann(["T|missense_variant|MODERATE"])


@pytest.mark.verifies("SRS-227")
def test_unknown_term_is_an_error() -> None:
    """It refuses a consequence term that is in no table, naming it, instead of ignoring it."""
    with pytest.raises(AnnotationFormatError, match="made_up_variant"):
        normalise_term("made_up_variant")
    with pytest.raises(AnnotationFormatError, match="declares"):
        parse_csq(["A|missense_variant"], ("Allele", "Consequence", "IMPACT", "SYMBOL", "Gene",
                                           "Feature", "BIOTYPE", "HGVSc", "HGVSp"))


@pytest.mark.verifies("SRS-227")
def test_high_impact_terms_match_gel_list() -> None:
    """It classes as HIGH the terms and SO accessions GEL's impact page lists first (S10)."""
    gel_high = {"transcript_ablation": "SO:0001893", "splice_acceptor_variant": "SO:0001574",
                "splice_donor_variant": "SO:0001575", "stop_gained": "SO:0001587",
                "frameshift_variant": "SO:0001589"}
    for term, accession in gel_high.items():
        assert SO_TERMS[term].accession == accession
        assert SO_TERMS[term].impact is Impact.HIGH
    assert SO_TERMS["missense_variant"].impact is Impact.MODERATE
    assert most_severe_impact(["intron_variant", "stop_gained"]) is Impact.HIGH


@pytest.mark.verifies("SRS-227")
def test_vep_allele_and_multiallelic_matching() -> None:
    """It matches CSQ alleles to ALTs the way VEP writes them (first base trimmed, '-')."""
    assert vep_allele("A", ["G"], 0) == "G"
    assert vep_allele("CCT", ["C"], 0) == "-"
    assert vep_allele("C", ["CTT", "CT"], 1) == "T"
    fields = ("Allele", "Consequence", "IMPACT", "SYMBOL", "Gene", "Feature", "BIOTYPE",
              "HGVSc", "HGVSp")
    entries = ["TT|frameshift_variant|HIGH|G|ENSG1|T1|protein_coding||",
               "T|inframe_insertion|MODERATE|G|ENSG1|T1|protein_coding||"]
    parsed = parse_csq(entries, fields)
    first = consequences_for_allele(parsed, "C", ["CTT", "CT"], 0)
    second = consequences_for_allele(parsed, "C", ["CTT", "CT"], 1)
    assert [c.terms for c in first] == [("frameshift_variant",)]
    assert [c.terms for c in second] == [("inframe_insertion",)]
    with pytest.raises(AnnotationFormatError, match="match no ALT"):
        consequences_for_allele(parsed, "C", ["CA", "CG"], 0)


@pytest.mark.verifies("SRS-226")
def test_clinvar_fields_from_real_clinvar_vcf() -> None:
    """It reads ClinVar CLNSIG/CLNREVSTAT from the real ClinVar VCF as GEL's wording."""
    path = data_file("annotation/slivar_clinvar_20191007.vcf.gz")
    with pysam.VariantFile(str(path)) as vcf:
        records = {r.pos: r for r in vcf}
    nonsense = records[949523]
    assert significance_terms(nonsense.info["CLNSIG"]) == ("Pathogenic",)
    assert review_status_text(nonsense.info["CLNREVSTAT"]) == "no assertion criteria provided"
    vus = records[949392]
    assert review_status_text(vus.info["CLNREVSTAT"]) == "criteria provided, single submitter"
    assert significance_terms(["Pathogenic/Likely_pathogenic"]) == ("Pathogenic",
                                                                    "Likely_pathogenic")


@pytest.mark.verifies("SRS-226")
def test_population_keys() -> None:
    """It names the gnomAD population AF keys with the gnomAD_ prefix and refuses others."""
    assert population_af_key() == "gnomAD_AF"
    assert population_af_key("nfe") == "gnomAD_AF_nfe"
    expected = tuple(f"gnomAD_AF_{p}" for p in
                     ("afr", "amr", "asj", "eas", "fin", "nfe", "sas", "ami", "mid"))
    assert expected == POPULATION_AF_KEYS
    with pytest.raises(ValueError, match="oth"):
        population_af_key("oth")
