"""The declared build table, build recognition and the agreement of a file with the reference."""

from __future__ import annotations

import pysam
import pytest

from bp2.stages.intake.builds import CUSTOM, Contig, agreement, load_table, recognise
from bp2.stages.intake.genome import parse_fai
from tests.testdata import data_file

HG19_BAM = "grch37_chr20_NA12878_deepvariant/reads/NA12878_S1.chr20.10_10p1mb.bam"
B37_BAM = "grch37_chr20_trio_deeptrio/reads/HG001.chr20.10_10p1mb_sorted.bam"
HG38_BAM = "grch38_chr22_slice_nfcore/reads/NA12878.chr22.bam"
HG19_FAI = "grch37_chr20_NA12878_deepvariant/reference/ucsc.hg19.chr20.unittest.fasta.gz.fai"
B37_FAI = "grch37_chr20_trio_deeptrio/reference/hs37d5.chr20.fa.gz.fai"


def header_contigs(relpath: str) -> list[Contig]:
    with pysam.AlignmentFile(str(data_file(relpath)), "rb", check_sq=False) as bam:
        return [Contig(sq["SN"], sq["LN"], sq.get("M5")) for sq in bam.header.to_dict()["SQ"]]


def fai_contigs(relpath: str) -> list[Contig]:
    contigs, faults = parse_fai(data_file(relpath).read_text())
    assert not faults
    return contigs


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-108")
@pytest.mark.parametrize(("relpath", "build", "with_md5"),
                         [(HG19_BAM, "GRCh37-hg19", False), (B37_BAM, "GRCh37-b37", False),
                          (HG38_BAM, "GRCh38-hg38", True)])
def test_table_agrees_with_real_bam_headers(relpath: str, build: str, with_md5: bool) -> None:
    """Its main-chromosome lengths (and GRCh38 M5s) equal those in real hg19, b37 and hg38 BAMs."""
    table = load_table().builds[build]
    found = {c.name: c for c in header_contigs(relpath) if c.name in table.contigs}
    assert set(found) == set(table.contigs)  # all 25 main chromosomes
    for name, spec in table.contigs.items():
        assert found[name].length == spec.length, name
        if with_md5:
            assert found[name].md5 == spec.md5, name


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-108")
def test_real_references_and_headers_are_recognised() -> None:
    """It recognises the hg19 and hs37d5 chr20 FASTAs and the three real BAM headers by name."""
    table = load_table()
    cases = [(fai_contigs(HG19_FAI), "GRCh37-hg19"), (fai_contigs(B37_FAI), "GRCh37-b37"),
             (header_contigs(HG19_BAM), "GRCh37-hg19"), (header_contigs(B37_BAM), "GRCh37-b37"),
             (header_contigs(HG38_BAM), "GRCh38-hg38")]
    for contigs, build in cases:
        found = recognise(contigs, table)
        assert found.builds == (build,) and found.method == "names+lengths"
    hg19 = recognise(fai_contigs(HG19_FAI), table)
    assert hg19.assembly == "GRCh37" and hg19.evidence == ("chr20",) and "hg19" in hg19.label


@pytest.mark.verifies("SRS-108")
def test_recognition_by_m5_lengths_names_or_not_at_all() -> None:
    """It falls back to M5, then to lengths; names without lengths stay ambiguous; else custom."""
    table = load_table()
    by_m5 = recognise([Contig("NC_000020.10", 63_025_520, "0dec9660ec1efaaf33281c0d5ea2560f")],
                      table)
    assert by_m5.method == "M5" and by_m5.assembly == "GRCh37"
    assert set(by_m5.builds) == {"GRCh37-hg19", "GRCh37-b37"}  # same chr20 sequence in both
    computed = recognise([Contig("NC_000020.11", 64_444_167)], table,
                         md5_of=lambda name: "b18e6c531b0bd70e949a7fc20859cb01")
    assert computed.method == "M5" and computed.assembly == "GRCh38"
    by_length = recognise([Contig("CM000682.1", 63_025_520)], table)
    assert by_length.method == "lengths" and by_length.assembly == "GRCh37"
    by_name = recognise([Contig("chr20")], table)
    assert by_name.method == "names" and set(by_name.builds) == {"GRCh37-hg19", "GRCh38-hg38"}
    assert by_name.assembly is None and " or " in by_name.label
    custom = recognise([Contig("chr22", 40_001)], table)
    assert not custom.recognised and custom.label == CUSTOM
    # a name of the table with another length rules that build out
    assert recognise([Contig("chr20", 63_025_520), Contig("chrM", 16_569)], table).builds == ()


def _agree(file_contigs: list[Contig], ref: dict[str, int], used: list[str], *,
           all_used: bool = True, md5: dict[str, str] | None = None) -> list[str]:
    table = load_table()
    ref_contigs = [Contig(n, ln) for n, ln in ref.items()]
    found = agreement("the file", file_contigs, recognise(file_contigs, table), ref,
                      recognise(ref_contigs, table), table, used=used, require_all_used=all_used,
                      reference_md5=None if md5 is None else md5.__getitem__)
    assert all(d.hint for d in found)
    return [d.title for d in found]


@pytest.mark.verifies("SRS-109", "SRS-110")
def test_another_naming_is_refused_naming_both_builds() -> None:
    """It refuses '20' against 'chr20' naming both builds and the alias, renaming nothing."""
    (title,) = _agree([Contig("20", 63_025_520)], {"chr20": 63_025_520}, ["20"])
    assert "another genome build" in title
    assert "b37 or hs37d5 naming ('20')" in title and "UCSC hg19 naming ('chr20')" in title
    assert "'20' here, 'chr20' in the reference" in title


@pytest.mark.verifies("SRS-109")
def test_another_assembly_is_refused_naming_both_builds() -> None:
    """It refuses a GRCh38 chr20 against a GRCh37 chr20 reference."""
    (title,) = _agree([Contig("chr20", 64_444_167)], {"chr20": 63_025_520}, ["chr20"])
    assert "GRCh38 with UCSC hg38 naming" in title and "GRCh37 with UCSC hg19 naming" in title


@pytest.mark.verifies("SRS-109")
def test_custom_builds_must_still_agree() -> None:
    """It refuses other lengths, reads on absent contigs and other M5s for unrecognised builds."""
    ref = {"ctgA": 1000, "ctgB": 500}
    assert _agree([Contig("ctgA", 1000), Contig("ctgB", 500)], ref, ["ctgA"]) == []
    (length,) = _agree([Contig("ctgA", 999)], ref, ["ctgA"])
    assert "'ctgA' is 999 bp in the file but 1,000 bp in the reference" in length
    (absent,) = _agree([Contig("ctgA", 1000), Contig("ctgC", 10)], ref, ["ctgA", "ctgC"])
    assert "1 contig(s) it has data on are not in the reference ('ctgC')" in absent
    (m5,) = _agree([Contig("ctgA", 1000, "a" * 32)], ref, ["ctgA"], md5={"ctgA": "b" * 32})
    assert "another sequence (M5)" in m5


@pytest.mark.verifies("SRS-110")
def test_resources_may_cover_more_but_never_overlap_by_zero() -> None:
    """It accepts a resource wider than the reference but refuses one sharing no contig with it."""
    ref = {"chr20": 63_025_520}
    wide = [Contig("chr20", 63_025_520), Contig("chr21", 48_129_895)]
    assert _agree(wide, ref, ["chr20", "chr21"], all_used=False) == []
    (zero,) = _agree(wide, ref, ["chr21"], all_used=False)
    assert "none of the contigs it has data on is in the reference ('chr21')" in zero
