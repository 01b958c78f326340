"""Answer key of ``annotate``: the demo case's hand-designed expected consequences.

Independent source: ``expected_tiers.tsv`` of the demo case lists, for every planted variant
and decoy, the consequence it was built to have and, for codon changes, the amino-acid change
(one-letter, e.g. ``missense_variant (S216P)``), from the generator's own codon arithmetic
(``bp2.demo.variants``), not from the annotate stage.  The check also holds the annotation
traps of the demo README: the population-frequency record at P1's position has another ALT
(P1 must get no frequency), and the ClinVar Pathogenic record at D3's position has another ALT
(D3 must get no ClinVar significance), while P6's own ClinVar record and P2's AF_nfe 0.004
must be found.  SnpEff, a second tool, is compared in ``test_snpeff.py``.
"""

from __future__ import annotations

import csv
import gzip
import re
from pathlib import Path

from bp2.demo import generate_demo_case
from bp2.stages.annotate import AnnotateOutputs, AnnotateParams
from bp2.stages.base import StageInputs, StageOutputs, StageParams
from tests.stages.annotate.helpers import demo_inputs, one_letter, read_annotated
from tests.stages.conformance import AnswerKey

EXPECTED = "expected_tiers.tsv"


def build(tmp: Path) -> tuple[StageInputs, StageParams]:
    case = generate_demo_case(tmp / "demo", depth=4)
    return demo_inputs(case), AnnotateParams()


def expected_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def check(outputs: StageOutputs) -> None:
    """The conformance test builds the inputs and runs the stage under one temporary folder;
    the demo's expected_tiers.tsv is found there."""
    assert isinstance(outputs, AnnotateOutputs)
    found = sorted(outputs.vcf.parent.parent.rglob(EXPECTED))
    assert found, "expected_tiers.tsv not found beside the outputs"
    check_against(outputs, found[0])


def check_against(outputs: AnnotateOutputs, expected: Path) -> None:
    """The planted consequences of ``expected`` (expected_tiers.tsv) and the traps."""
    _, records = read_annotated(outputs.vcf)
    by_label = {r.label: r for r in records if r.label}
    rows = expected_rows(expected)
    assert rows, "the demo's expected_tiers.tsv lists no variant"
    for row in rows:
        record = by_label[row["label"]]
        assert (record.chrom, record.pos, record.ref, record.alt) == (
            row["chrom"], int(row["pos"]), row["ref"], row["alt"]), row["label"]
        match = re.fullmatch(r"(\w+)(?: \((\w+\*?)\))?", row["consequence"])
        assert match is not None, row["consequence"]
        term, change = match.group(1), match.group(2)
        entries = [e for e in record.csq if e["SYMBOL"] == row["gene"] and e["CANONICAL"] == "YES"]
        assert len(entries) == 1, (row["label"], record.csq)
        entry = entries[0]
        assert term in entry["Consequence"].split("&"), (row["label"], entry["Consequence"])
        if change:
            ours = one_letter(entry["HGVSp"].replace("%3D", "="))
            ours = re.sub(r"^(\w)(\d+)=$", r"\1\2\1", ours)  # p.Pro150= is P150P
            assert ours == change, (row["label"], entry["HGVSp"], change)
    # the traps: matching by allele, not position
    assert "gnomAD_AF" not in by_label["P1"].info
    assert "CLNSIG" not in by_label["D3"].info
    assert float(by_label["D3"].info["gnomAD_AF"]) > 0.01
    assert by_label["P6"].info["CLNSIG"] == "Pathogenic"
    assert abs(float(by_label["P2"].info["gnomAD_AF_nfe"]) - 0.004) < 0.0005


def normalise(outputs: StageOutputs) -> bytes:
    """The annotated records (decompressed, header included) and the consequences table."""
    assert isinstance(outputs, AnnotateOutputs)
    with gzip.open(outputs.vcf, "rb") as handle:
        vcf = handle.read()
    return vcf + b"\n" + outputs.consequences.read_bytes()


ANSWER_KEY = AnswerKey(
    stage_id="annotate",
    source="bp2 demo case expected_tiers.tsv (hand-designed planted consequences and amino-acid "
    "changes) and its README's allele-matching traps",
    build=build, check=check, normalise=normalise,
)
