"""Tests of the ploidy table: PARs per build, contig naming from the .fai, sex labels."""

from __future__ import annotations

import pytest

from bp2.case import Sex
from bp2.errors import InputError
from bp2.stages.call.ploidy import (
    Build,
    check_ploidy_covers,
    generate_ploidy,
    parse_ploidy,
    ploidy_at,
    render_ploidy,
    resolve_build,
    samples_sex_text,
)

GRCH38_UCSC = {"chr1": 248_956_422, "chrX": 156_040_895, "chrY": 57_227_415, "chrM": 16_569}
GRCH37_ENSEMBL = {"1": 249_250_621, "X": 155_270_560, "Y": 59_373_566, "MT": 16_569}


@pytest.mark.verifies("SRS-141")
def test_grch38_ploidy_by_sex_and_region() -> None:
    """It makes non-PAR X/Y haploid for males, PARs diploid, Y absent in females, chrM haploid."""
    table = generate_ploidy(GRCH38_UCSC, Build.GRCH38)
    # GRCh38 chrX PAR1 is 10,001-2,781,479 and PAR2 155,701,383-156,030,895
    assert ploidy_at(table, "chrX", 10_000, "M") == 1
    assert ploidy_at(table, "chrX", 10_001, "M") == 2
    assert ploidy_at(table, "chrX", 2_781_479, "M") == 2
    assert ploidy_at(table, "chrX", 2_781_480, "M") == 1
    assert ploidy_at(table, "chrX", 155_701_383, "M") == 2
    assert ploidy_at(table, "chrX", 156_030_896, "M") == 1
    assert ploidy_at(table, "chrX", 50_000_000, "F") == 2
    assert ploidy_at(table, "chrX", 50_000_000, "U") == 2  # unknown sex is not forced haploid
    assert ploidy_at(table, "chrY", 20_000_000, "M") == 1
    assert ploidy_at(table, "chrY", 20_000_000, "U") == 1
    assert ploidy_at(table, "chrY", 20_000_000, "F") == 0
    assert ploidy_at(table, "chrY", 1_000_000, "M") == 2  # Y PAR1
    assert ploidy_at(table, "chrM", 100, "F") == 1
    assert ploidy_at(table, "chr1", 1_000, "M") == 2


@pytest.mark.verifies("SRS-141")
def test_grch37_names_come_from_the_fai() -> None:
    """It writes Ensembl names (X, Y, MT) and GRCh37 PARs when the reference uses them."""
    text = render_ploidy(generate_ploidy(GRCH37_ENSEMBL, Build.GRCH37))
    assert "X\t1\t60000\tM\t1\n" in text  # before GRCh37 PAR1 (60,001-2,699,520)
    assert "X\t2699521\t154931043\tM\t1\n" in text  # between PAR1 and PAR2 (154,931,044-)
    assert "X\t155260561\t155270560\tM\t1\n" in text  # after PAR2 to the end
    assert "MT\t1\t16569\tM\t1\n" in text
    assert "chrX" not in text
    assert parse_ploidy(text, "generated") == generate_ploidy(GRCH37_ENSEMBL, Build.GRCH37)


@pytest.mark.verifies("SRS-141")
def test_autosome_only_reference_needs_no_build() -> None:
    """It writes only the default diploid lines for a reference without sex chromosomes."""
    assert resolve_build(None, {"chr20": 63_025_520}, "x.fai") is None
    table = generate_ploidy({"chr20": 63_025_520}, None)
    assert {line.chrom for line in table} == {"*"}
    assert all(line.ploidy == 2 for line in table)


@pytest.mark.verifies("SRS-142")
def test_build_is_checked_against_chromosome_lengths() -> None:
    """It refuses a declared build whose chrX length the reference contradicts."""
    with pytest.raises(InputError) as err:
        resolve_build("GRCh37", GRCH38_UCSC, "ref.fa.fai")
    assert "155,270,560" in err.value.title and err.value.field == "build"
    assert resolve_build("GRCh38-ucsc", GRCH38_UCSC, "ref.fa.fai") is Build.GRCH38
    assert resolve_build(None, GRCH37_ENSEMBL, "ref.fa.fai") is Build.GRCH37  # from X length
    with pytest.raises(InputError):
        resolve_build(None, {"chrX": 1_000}, "ref.fa.fai")


@pytest.mark.verifies("SRS-143")
def test_explicit_ploidy_file_is_validated() -> None:
    """It refuses malformed lines, unknown contigs and sexes the file does not cover."""
    with pytest.raises(InputError) as err:
        parse_ploidy("* * * M 2\nchrX 1 x M 1\n", "p.txt")
    assert err.value.line == 2
    with pytest.raises(InputError) as err:
        parse_ploidy("chrX 1 10\n", "p.txt")
    assert err.value.line == 1
    lines = parse_ploidy("* * * M 2\n* * * F 2\nchrX 1 100 M 1\n", "p.txt")
    with pytest.raises(InputError) as err:
        check_ploidy_covers(lines, ["M", "U"], {"chrX": 1_000}, "p.txt")
    assert "'U'" in err.value.title
    with pytest.raises(InputError) as err:
        check_ploidy_covers(lines, ["M"], {"X": 1_000}, "p.txt")
    assert "chrX" in err.value.title


@pytest.mark.verifies("SRS-141")
def test_samples_sex_file() -> None:
    """It labels each sample M, F or U for bcftools call -S."""
    text = samples_sex_text([("a", Sex.MALE), ("b", Sex.FEMALE), ("c", Sex.UNKNOWN)])
    assert text == "a\tM\nb\tF\nc\tU\n"
