"""Which sites and genotypes are used (pure module bp2.stages.qc_family.genotypes)."""

from __future__ import annotations

import pytest

from bp2.demo import genome as demo_genome
from bp2.errors import InputError
from bp2.stages.qc_family.genotypes import (
    KNOWN_X_PARS,
    Balance,
    Code,
    GenotypeFilter,
    RawCall,
    RawRecord,
    Region,
    Skip,
    balance_of,
    collect,
    genotype_code,
    resolve_x_pars,
    site_skip,
)

GATES = GenotypeFilter(min_genotype_quality=20, min_depth=10, accept_unfiltered=True,
                       allele_balance_het_min=0.2)


@pytest.mark.verifies("SRS-181")
@pytest.mark.parametrize(
    ("ref", "alts", "filters", "chrom", "skip"),
    [
        ("A", ("G",), ("PASS",), "chr1", None),
        ("A", ("G",), (), "22", None),  # FILTER '.': accepted by default
        ("A", ("G",), ("LowQual",), "chr1", Skip.FILTERED),
        ("A", ("G", "T"), ("PASS",), "chr1", Skip.NOT_BIALLELIC_SNV),
        ("AT", ("A",), ("PASS",), "chr1", Skip.NOT_BIALLELIC_SNV),
        ("A", ("*",), ("PASS",), "chr1", Skip.NOT_BIALLELIC_SNV),
        ("A", ("<NON_REF>",), ("PASS",), "chr1", Skip.NOT_BIALLELIC_SNV),
        ("A", (), ("PASS",), "chr1", Skip.NOT_BIALLELIC_SNV),
        ("A", ("G",), ("PASS",), "chrY", Skip.OTHER_CONTIG),
        ("A", ("G",), ("PASS",), "MT", Skip.OTHER_CONTIG),
        ("A", ("G",), ("PASS",), "chrUn_gl000220", Skip.OTHER_CONTIG),
        ("A", ("G",), ("PASS",), "X", None),
    ],
)
def test_site_selection(ref: str, alts: tuple[str, ...], filters: tuple[str, ...], chrom: str,
                        skip: Skip | None) -> None:
    """It uses only bi-allelic SNVs passing FILTER on autosomes and chrX."""
    assert site_skip(ref, alts, filters, chrom, accept_unfiltered=True) is skip


@pytest.mark.verifies("SRS-181")
def test_unfiltered_can_be_refused() -> None:
    """It treats FILTER '.' as failing when accept_unfiltered is off."""
    assert site_skip("A", ("G",), (), "chr1", accept_unfiltered=False) is Skip.FILTERED


@pytest.mark.verifies("SRS-181")
@pytest.mark.parametrize(
    ("call", "region", "code"),
    [
        (RawCall((0, 1), gq=30, dp=20), Region.AUTOSOME, Code.HET),
        (RawCall((1, 1)), Region.AUTOSOME, Code.HOM_ALT),  # no GQ/DP written: used
        (RawCall((0, 0), gq=19, dp=20), Region.AUTOSOME, Code.MISSING),  # GQ below 20
        (RawCall((0, 1), gq=99, dp=9), Region.AUTOSOME, Code.MISSING),  # DP below 10
        (RawCall((None, None)), Region.AUTOSOME, Code.MISSING),
        (RawCall((0, None)), Region.AUTOSOME, Code.MISSING),  # half call
        (RawCall((1,)), Region.AUTOSOME, Code.MISSING),  # haploid on an autosome
        (RawCall((1,)), Region.X_NONPAR, Code.HAP_ALT),
        (RawCall((0,)), Region.X_NONPAR, Code.HAP_REF),
        (RawCall((1,)), Region.X_PAR, Code.MISSING),
        (RawCall(()), Region.AUTOSOME, Code.MISSING),
    ],
)
def test_genotype_gates(call: RawCall, region: Region, code: Code) -> None:
    """It codes a call, dropping low GQ/DP, partial and misplaced haploid calls."""
    assert genotype_code(call, region, GATES) is code


@pytest.mark.verifies("SRS-185")
def test_allele_balance() -> None:
    """It reads AD as heterozygous-looking when the minor allele has at least 20 % of reads."""
    assert balance_of(RawCall((1,), ad=(8, 12)), GATES) is Balance.AD_BALANCED
    assert balance_of(RawCall((1,), ad=(1, 14)), GATES) is Balance.AD_ALT
    assert balance_of(RawCall((0,), ad=(15, 0)), GATES) is Balance.NO_DATA  # no ALT read
    assert balance_of(RawCall((1,), ad=(2, 3)), GATES) is Balance.NO_DATA  # 5 reads < 10
    assert balance_of(RawCall((1,)), GATES) is Balance.NO_DATA


@pytest.mark.verifies("SRS-185")
def test_par_coordinates() -> None:
    """It knows the chrX PARs of GRCh37, GRCh38 and the demo build by chrX length."""
    assert resolve_x_pars({"X": 155_270_560}, None) == ((60_001, 2_699_520),
                                                        (154_931_044, 155_260_560))
    assert resolve_x_pars({"chrX": 156_040_895}, None) == ((10_001, 2_781_479),
                                                           (155_701_383, 156_030_895))
    demo_length = demo_genome.LENGTHS["chrX"]
    assert KNOWN_X_PARS[demo_length][1] == demo_genome.X_PARS
    assert resolve_x_pars({"chrX": 1000}, None) is None
    assert resolve_x_pars({"chrX": 1000}, [(1, 10)]) == ((1, 10),)


def record(chrom: str, pos: int, alt: str = "G", calls: int = 2) -> RawRecord:
    return RawRecord(chrom, pos, "A", (alt,), ("PASS",),
                     tuple(RawCall((0, 1)) for _ in range(calls)))


@pytest.mark.verifies("SRS-181")
def test_shared_positions_are_left_out() -> None:
    """It leaves out SNV records that share a position (a split multi-allelic site)."""
    table = collect([record("chr1", 10), record("chr1", 20, "G"), record("chr1", 20, "T"),
                     record("chr1", 30)], ["a", "b"], GATES, None)
    assert table.autosomal.shape == (2, 2)
    assert table.skipped["shared_position"] == 2 and table.records == 4


@pytest.mark.verifies("SRS-187")
def test_unknown_pars_refused() -> None:
    """It refuses chrX records when the PARs are unknown, naming the parameter to set."""
    with pytest.raises(InputError, match="pseudo-autosomal") as info:
        collect([record("X", 5_000_000)], ["a", "b"], GATES, None, source="in.vcf")
    assert info.value.field == "x_par_regions" and info.value.path == "in.vcf"


@pytest.mark.verifies("SRS-187")
def test_column_count_checked() -> None:
    """It refuses a record whose genotype columns do not match the header's samples."""
    with pytest.raises(InputError, match="3 genotype columns"):
        collect([record("chr1", 1, calls=3)], ["a", "b"], GATES, None)
