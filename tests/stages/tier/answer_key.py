"""Answer key of the ``tier`` stage: a hand-made trio whose tiers are worked out by hand.

Family: affected son ``child`` (male), unaffected ``father`` and ``mother``; complete penetrance
(the default).  Panel "Answer key panel" v1.0 (id 1): green GENEA (biallelic), GENEB
(monoallelic, not imprinted), GENEC (biallelic), GENEX (X-linked recessive), GENEM
(mitochondrial); GENED is amber; GENEZ is on no panel.  Genotypes are child/father/mother.

=====  ===========  ==================================================  ======================
#      site         arithmetic                                          expected
=====  ===========  ==================================================  ======================
1      chr1:1000    GENEA stop_gained (HIGH), 1/1 | 0/1 | 0/1: both      TIER1 SimpleRecessive
                    parents carry; NFE AF 0.005 <= recessive 0.01
2      chr1:2000    GENEA missense, 1/1 | 0/1 | 0/1, NFE AF 0.02 >       not tiered
                    0.01 (recessive): frequency fails, no ClinVar
3      chr1:3000    GENEB missense (MODERATE), 0/1 | 0/0 | 0/0: de novo;  TIER1 deNovo
                    NFE 0.0005 <= dominant 0.001; de novo + moderate
4      chr1:4000    GENEB missense, 0/1 | 0/1 | 0/0: the unaffected      not tiered
                    father carries it: complete penetrance fails
5      chr1:5000    GENEC missense, 0/1 | 0/1 | 0/0, ASJ 0.002 <= 0.01   TIER2 CompHet (with 6)
6      chr1:6000    GENEC splice_donor (HIGH), 0/1 | 0/0 | 0/1: father   TIER1 CompHet (with 5)
                    gave 5, mother gave 6
7      chr1:7000    GENEA missense 0/1 | 0/1 | 0/0: one het in a         not tiered
                    biallelic gene, no het partner in GENEA
8      chr1:8000    GENEZ (no panel) stop_gained, de novo                 TIER3 deNovo
9      chr1:9000    GENED (amber = outside) missense, de novo             TIER3 deNovo
10     chr1:10000   GENEB synonymous (LOW), de novo, NFE 0.05 > 0.001,   TIER1 deNovo (ClinVar)
                    ClinVar Pathogenic, criteria provided single
                    submitter, INTERNAL_AF 0.01 < 0.05: ClinVar route
11     chr1:11000   GENEB missense de novo, EAS 0.0025 > 0.002;          not tiered
                    ClinVar review 'no classification provided' is
                    not on GEL's list
12     chr1:12000   GENEB stop_gained de novo, FILTER LowQual            not tiered
13     chr1:13000   GENEA missense, 1/1 | 0/1 | 0/0: homozygous child    TIER2 Uniparental-
                    of a non-carrier mother                              Isodisomy
14     chrX:3000000 GENEX missense (non-PAR), son 1 | father 0 |         TIER2 XLinkedSimple-
                    mother 0/1: hemizygous son, father not a carrier,    Recessive
                    het mother is not affected-genotype; NFE 0.005
15     chrX:100000  GENEX stop_gained in PAR1 (10,001-2,781,479):        not tiered
                    autosomal filters only; father carries it
16     chrM:100     GENEM missense, son 1 | 0 | 0; NFE 0.5 and overall   TIER2 Mitochondrial-
                    gnomAD 0.5 not tested for mitochondrial;             Genome
                    INTERNAL_AF missing = 0
17     chr1:14000   GENEB missense de novo, NFE 0.0008 <= 0.001 but      not tiered
                    overall gnomAD_AF 0.002 > dominant 0.001 (bp2's
                    overall threshold, frequency_threshold_overall)
=====  ===========  ==================================================  ======================

De novo candidates in ``segregation.tsv`` (complete): 3, 8, 9, 10, 11, 17 (12 is not PASS).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from bp2.fileio import canonical_json
from bp2.stages.base import StageInputs, StageOutputs, StageParams
from bp2.stages.tier import TierStage
from tests.stages.conformance import AnswerKey
from tests.stages.tier.helpers import (
    BIALLELIC,
    MITO,
    MONOALLELIC,
    TRIO,
    X_RECESSIVE,
    Csq,
    Rec,
    panel_record,
    panels_document,
    read_tsv,
    write_case,
)

SAMPLES = ("child", "father", "mother")
GENES = {"GENEA": "ENSG00000000001", "GENEB": "ENSG00000000002", "GENEC": "ENSG00000000003",
         "GENEX": "ENSG00000000004", "GENEM": "ENSG00000000005", "GENED": "ENSG00000000006",
         "GENEZ": "ENSG00000000009"}


def csq(consequence: str, gene: str) -> tuple[Csq, ...]:
    return (Csq(consequence, gene, GENES[gene], f"ENST{GENES[gene][4:]}"),)


def trio(child: str, father: str, mother: str) -> dict[str, str]:
    return {"child": f"{child}:60:30:15,15", "father": f"{father}:60:30:30,0",
            "mother": f"{mother}:60:30:30,0"}


PATHOGENIC = {"CLNSIG": "Pathogenic", "CLNREVSTAT": "criteria_provided,_single_submitter"}
RECORDS = (
    Rec("chr1", 1000, "A", "T", trio("1/1", "0/1", "0/1"), csq("stop_gained", "GENEA"),
        {"gnomAD_AF_nfe": "0.005"}),
    Rec("chr1", 2000, "C", "G", trio("1/1", "0/1", "0/1"), csq("missense_variant", "GENEA"),
        {"gnomAD_AF_nfe": "0.02"}),
    Rec("chr1", 3000, "G", "A", trio("0/1", "0/0", "0/0"), csq("missense_variant", "GENEB"),
        {"gnomAD_AF_nfe": "0.0005"}),
    Rec("chr1", 4000, "T", "C", trio("0/1", "0/1", "0/0"), csq("missense_variant", "GENEB")),
    Rec("chr1", 5000, "G", "T", trio("0/1", "0/1", "0/0"), csq("missense_variant", "GENEC"),
        {"gnomAD_AF_asj": "0.002"}),
    Rec("chr1", 6000, "C", "T", trio("0/1", "0/0", "0/1"), csq("splice_donor_variant",
                                                              "GENEC")),
    Rec("chr1", 7000, "A", "G", trio("0/1", "0/1", "0/0"), csq("missense_variant", "GENEA")),
    Rec("chr1", 8000, "G", "C", trio("0/1", "0/0", "0/0"), csq("stop_gained", "GENEZ")),
    Rec("chr1", 9000, "C", "A", trio("0/1", "0/0", "0/0"), csq("missense_variant", "GENED")),
    Rec("chr1", 10000, "T", "G", trio("0/1", "0/0", "0/0"), csq("synonymous_variant", "GENEB"),
        {"gnomAD_AF_nfe": "0.05", "INTERNAL_AF": "0.01", **PATHOGENIC}),
    Rec("chr1", 11000, "A", "C", trio("0/1", "0/0", "0/0"), csq("missense_variant", "GENEB"),
        {"gnomAD_AF_eas": "0.0025", "CLNSIG": "Pathogenic",
         "CLNREVSTAT": "no_classification_provided"}),
    Rec("chr1", 12000, "C", "A", trio("0/1", "0/0", "0/0"), csq("stop_gained", "GENEB"),
        filter="LowQual"),
    Rec("chr1", 13000, "C", "T", trio("1/1", "0/1", "0/0"), csq("missense_variant", "GENEA")),
    Rec("chr1", 14000, "G", "T", trio("0/1", "0/0", "0/0"), csq("missense_variant", "GENEB"),
        {"gnomAD_AF": "0.002", "gnomAD_AF_nfe": "0.0008"}),
    Rec("chrX", 3_000_000, "G", "A", {"child": "1:60:30:0,30", "father": "0:60:30:30,0",
                                      "mother": "0/1:60:30:15,15"},
        csq("missense_variant", "GENEX"), {"gnomAD_AF_nfe": "0.005"}),
    Rec("chrX", 100_000, "C", "T", trio("0/1", "0/1", "0/0"), csq("stop_gained", "GENEX")),
    Rec("chrM", 100, "A", "G", {"child": "1:60:30:0,30", "father": "0:60:30:30,0",
                                "mother": "0:60:30:30,0"},
        (Csq("missense_variant", "GENEM", GENES["GENEM"], "ENST00000000005",
             biotype="protein_coding"),), {"gnomAD_AF_nfe": "0.5", "gnomAD_AF": "0.5"}),
)

EXPECTED_TIERS = {
    ("chr1", "1000", "TIER1", "SimpleRecessive", "frequency+impact"),
    ("chr1", "3000", "TIER1", "deNovo", "frequency+impact"),
    ("chr1", "5000", "TIER2", "CompoundHeterozygous", "frequency+impact"),
    ("chr1", "6000", "TIER1", "CompoundHeterozygous", "frequency+impact"),
    ("chr1", "8000", "TIER3", "deNovo", "frequency+impact"),
    ("chr1", "9000", "TIER3", "deNovo", "frequency+impact"),
    ("chr1", "10000", "TIER1", "deNovo", "clinvar"),
    ("chr1", "13000", "TIER2", "UniparentalIsodisomy", "frequency+impact"),
    ("chrX", "3000000", "TIER2", "XLinkedSimpleRecessive", "frequency+impact"),
    ("chrM", "100", "TIER2", "MitochondrialGenome", "frequency+impact"),
}
EXPECTED_DE_NOVO = {"3000", "8000", "9000", "10000", "11000", "14000"}


def panel() -> dict[str, object]:
    genes = [("GENEA", GENES["GENEA"], "3", BIALLELIC), ("GENEB", GENES["GENEB"], "3", MONOALLELIC),
             ("GENEC", GENES["GENEC"], "3", BIALLELIC), ("GENEX", GENES["GENEX"], "3", X_RECESSIVE),
             ("GENEM", GENES["GENEM"], "3", MITO), ("GENED", GENES["GENED"], "2", MONOALLELIC)]
    return panels_document(panel_record(genes, name="Answer key panel"))


def build(directory: Path) -> tuple[StageInputs, StageParams]:
    paths = write_case(directory, SAMPLES, RECORDS, TRIO, panel())
    stage = TierStage()
    return stage.Inputs.model_validate(dict(paths)), stage.Params()


def observed(outputs: StageOutputs) -> set[tuple[str, str, str, str, str]]:
    rows = read_tsv(outputs.tiers_tsv)  # type: ignore[attr-defined]
    return {(r["chrom"], r["pos"], r["tier"], r["segregation"], r["route"]) for r in rows}


def check(outputs: StageOutputs) -> None:
    assert observed(outputs) == EXPECTED_TIERS
    rows = read_tsv(outputs.tiers_tsv)  # type: ignore[attr-defined]
    partners = {r["pos"]: r["compound_partner"] for r in rows}
    assert partners["5000"] == "chr1:6000:C:T" and partners["6000"] == "chr1:5000:G:T"
    assert {r["pos"]: r["panel"] for r in rows}["1000"] == "Answer key panel v1.0 (1)"
    segregation = read_tsv(outputs.segregation_tsv)  # type: ignore[attr-defined]
    de_novo = {r["pos"] for r in segregation
               if r["segregation"] == "deNovo" and r["penetrance"] == "complete"}
    assert de_novo == EXPECTED_DE_NOVO


def normalise(outputs: StageOutputs) -> bytes:
    tiers = json.loads(outputs.tiers_json.read_text())  # type: ignore[attr-defined]
    segregation = outputs.segregation_tsv.read_bytes()  # type: ignore[attr-defined]
    digest = hashlib.sha256(segregation).hexdigest()
    return canonical_json({"tiers": tiers, "segregation_sha256": digest}).encode()


ANSWER_KEY = AnswerKey(
    stage_id="tier",
    source="hand-made trio VCF with each tiering rule's arithmetic written out in "
    "tests/stages/tier/answer_key.py (GEL tier definitions, thresholds and segregation)",
    build=build,
    check=check,
    normalise=normalise,
)
