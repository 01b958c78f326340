"""Tests of the first comparison engine (normalised allele + genotype match)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bp2.benchmark.compare import (
    Allele,
    Regions,
    VariantRecord,
    compare,
    compare_files,
    normalise,
    parse_bed,
)
from bp2.errors import InputError
from tests.stages.call.datasets import DS1, DS1_BED, DS1_TRUTH, HG19, fetch_for
from tests.testdata import data_file

#            1234567890123 (1-based): an ACACACACA repeat at 5-13
REFERENCE = "GATTACACACACAGTTT"


def fetch(chrom: str, start: int, end: int) -> str:
    return REFERENCE[start:end]


EVERYWHERE = Regions.from_intervals([("c", 0, len(REFERENCE))])


@pytest.mark.verifies("SRS-155")
def test_normalise_trims_and_left_aligns() -> None:
    """It trims shared bases and shifts an indel in a CA repeat to its leftmost position."""
    # one 'CA' unit deleted at the right end of the repeat (C12 A13) is the same haplotype as
    # deleting A5 C6, written after the T at 4
    assert normalise("c", 11, "ACAG", "AG", fetch) == Allele("c", 4, "TAC", "T")
    assert normalise("c", 11, "ACAG", "AG") == Allele("c", 11, "ACA", "A")  # no reference: trim
    assert normalise("c", 3, "TTAC", "TGAC") == Allele("c", 4, "T", "G")  # an SNV in disguise


@pytest.mark.verifies("SRS-155")
def test_genotype_must_match() -> None:
    """It counts a right allele with the wrong zygosity as one FN and one FP."""
    truth = [VariantRecord("c", 2, "A", ("T",), (1, 1))]
    query = [VariantRecord("c", 2, "A", ("T",), (0, 1))]
    result = compare(truth, query, EVERYWHERE, fetch)
    assert (result.snv.tp, result.snv.fp, result.snv.fn) == (0, 1, 1)
    same = compare(truth, [VariantRecord("c", 2, "A", ("T",), (1, 1))], EVERYWHERE, fetch)
    assert (same.snv.tp, same.snv.fp, same.snv.fn) == (1, 0, 0)


@pytest.mark.verifies("SRS-155")
def test_split_multiallelic_matches_a_1_2_truth() -> None:
    """It matches a 1/2 truth record against the two split records bcftools norm writes."""
    truth = [VariantRecord("c", 5, "ACA", ("A", "ACACA"), (1, 2))]
    query = [VariantRecord("c", 5, "ACA", ("A",), (1, 0)),
             VariantRecord("c", 5, "A", ("ACA",), (0, 1))]
    result = compare(truth, query, EVERYWHERE, fetch)
    # the 1/2 truth record is one (hetalt) unit, as hap.py counts it; both split records are TP
    assert (result.indel.tp, result.indel.fp, result.indel.fn) == (1, 0, 0)


@pytest.mark.verifies("SRS-155")
def test_filtered_and_outside_calls_are_ignored() -> None:
    """It ignores non-PASS query records and calls outside the confident regions."""
    truth = [VariantRecord("c", 2, "A", ("T",), (0, 1))]
    query = [VariantRecord("c", 2, "A", ("T",), (0, 1), ("LowQual",)),
             VariantRecord("c", 16, "T", ("G",), (0, 1))]
    regions = Regions.from_intervals([("c", 0, 10)])
    result = compare(truth, query, regions, fetch)
    assert (result.snv.tp, result.snv.fp, result.snv.fn) == (0, 0, 1)
    assert result.snv.recall == 0.0 and result.snv.precision == 1.0


@pytest.mark.verifies("SRS-155")
def test_bed_errors_name_the_line() -> None:
    """It refuses a malformed BED line, naming its line number."""
    with pytest.raises(InputError) as err:
        parse_bed(["c\t1\t5\n", "c\tx\t9\n"], "x.bed")
    assert err.value.line == 2


@pytest.mark.verifies("SRS-155")
def test_deepvariant_calls_score_as_published() -> None:
    """It scores DeepVariant's shipped calls as the data README states: 48 truth, 47 TP, 1 FN."""
    dv = data_file(f"{DS1}/expected/deepvariant1.5_golden.postprocess_single_site_output.vcf")
    window = Regions.from_intervals([("chr20", 10_000_000, 10_010_000)])  # DeepVariant's region
    result = compare_files(data_file(DS1_TRUTH), dv, data_file(DS1_BED), window=window,
                           fetch=fetch_for(HG19))
    assert (result.total.tp, result.total.fp, result.total.fn) == (47, 0, 1)
    assert [c.allele for c in result.false_negatives] == [Allele("chr20", 10_001_019, "T", "G")]


@pytest.mark.verifies("SRS-155")
def test_unindexed_vcf_keeps_only_records_in_the_regions(tmp_path: Path) -> None:
    """It reads an unindexed VCF like an indexed one: records outside the regions are never
    compared, so a REF there that the reference contradicts is not an error."""
    vcf = tmp_path / "truth.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n##contig=<ID=c,length=17>\n"
                   '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
                   "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n"
                   "c\t2\t.\tA\tT\t.\tPASS\t.\tGT\t0/1\n"
                   "c\t16\t.\tG\tC\t.\tPASS\t.\tGT\t0/1\n")  # reference has T at 16
    bed = tmp_path / "confident.bed"
    bed.write_text("c\t0\t10\n")
    result = compare_files(vcf, vcf, bed, fetch=fetch)
    assert (result.snv.tp, result.snv.fp, result.snv.fn) == (1, 0, 0)
