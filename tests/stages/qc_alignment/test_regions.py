"""Regions: intervals, BED, contig classes, PARs from a ploidy file or the build."""

from __future__ import annotations

import pytest

from bp2.errors import InputError
from bp2.stages.qc_alignment.regions import (
    ContigClass,
    classify,
    intersect,
    merge,
    nonpar_from_build,
    nonpar_from_ploidy,
    overlapping,
    parse_bed,
    parse_fai,
    subtract,
)

GRCH37 = {"1": 249_250_621, "X": 155_270_560, "Y": 59_373_566, "MT": 16_569}
DEMO_PLOIDY = """chrX\t1\t12000\tM\t2
chrX\t12001\t150000\tM\t1
chrX\t150001\t156000\tM\t2
chrY\t1\t50000\tM\t1
chrY\t1\t50000\tF\t0
chrM\t1\t16569\tM\t1
*\t*\t*\tM\t2
"""
DEMO = {"chr1": 220_000, "chr2": 130_000, "chrX": 156_000, "chrY": 50_000, "chrM": 16_569}


@pytest.mark.verifies("SRS-161")
def test_interval_arithmetic() -> None:
    """It merges touching intervals and intersects and subtracts sorted lists."""
    assert merge([(5, 10), (0, 3), (3, 4), (9, 12), (20, 20)]) == ((0, 4), (5, 12))
    assert intersect([(0, 10), (20, 30)], [(5, 25)]) == ((5, 10), (20, 25))
    assert subtract([(0, 10), (20, 30)], [(2, 4), (8, 22), (29, 40)]) == (
        (0, 2), (4, 8), (22, 29))
    assert list(overlapping([(0, 5), (10, 15), (20, 25)], [0, 10, 20], 12, 21)) == [
        (10, 15), (20, 25)]


@pytest.mark.verifies("SRS-161")
def test_contig_classes() -> None:
    """It classes numbered contigs as autosomes and keeps X, Y, M and the rest apart."""
    assert classify("chr20") is ContigClass.AUTOSOME and classify("7") is ContigClass.AUTOSOME
    assert classify("chrX") is ContigClass.X and classify("Y") is ContigClass.Y
    assert classify("MT") is ContigClass.MITO and classify("chrM") is ContigClass.MITO
    for other in ("chr1_KI270706v1_random", "chrUn_GL000195v1", "hs37d5", "GL000192.1", "chrEBV"):
        assert classify(other) is ContigClass.OTHER, other


@pytest.mark.verifies("SRS-170")
def test_bed_parsing_and_refusals() -> None:
    """It merges BED lines per contig and refuses unknown contigs and bad intervals by line."""
    regions = parse_bed("track name=x\n# c\nchr1\t10\t20\nchr1\t15\t30\nchr2 0 5\n", "t.bed",
                        {"chr1": 100, "chr2": 50})
    assert regions == {"chr1": ((10, 30),), "chr2": ((0, 5),)}
    cases = [("chr3\t0\t5\n", "not in the reference", 1),
             ("chr1\t0\t5\nchr1\t10\t200\n", "outside chr1", 2),
             ("chr1\tten\t20\n", "not an integer", 1),
             ("chr1\t5\n", "at least 3 are needed", 1),
             ("# nothing\n", "holds no interval", None)]
    for text, message, line in cases:
        with pytest.raises(InputError) as caught:
            parse_bed(text, "t.bed", {"chr1": 100, "chr2": 50})
        assert message in caught.value.title and caught.value.line == line, text


@pytest.mark.verifies("SRS-170")
def test_fai_parsing() -> None:
    """It reads contig names and lengths from a .fai and refuses a malformed one by line."""
    contigs = parse_fai("chr1\t100\t6\t60\t61\nchrX\t50\t120\t60\t61\n", "r.fai")
    assert [(c.name, c.length) for c in contigs] == [("chr1", 100), ("chrX", 50)]
    with pytest.raises(InputError) as caught:
        parse_fai("chr1\t100\t6\t60\t61\nchr1\t7\t1\t1\t1\n", "r.fai")
    assert caught.value.line == 2


@pytest.mark.verifies("SRS-165")
def test_pars_from_the_demo_ploidy_file() -> None:
    """It takes the non-PAR spans of X and Y from where males are haploid in the ploidy file."""
    chromosomes = nonpar_from_ploidy(DEMO_PLOIDY, "ploidy.txt", DEMO)
    assert (chromosomes.x, chromosomes.y) == ("chrX", "chrY")
    assert chromosomes.x_nonpar == ((12_000, 150_000),)
    assert chromosomes.y_nonpar == ((0, 50_000),)
    with pytest.raises(InputError) as caught:
        nonpar_from_ploidy("chr9\t1\t10\tM\t1\n", "ploidy.txt", DEMO)
    assert "chr9" in caught.value.title and caught.value.line == 1


@pytest.mark.verifies("SRS-165", "SRS-170")
def test_pars_from_the_grch37_build() -> None:
    """It uses GRC PAR coordinates for GRCh37 names and refuses lengths of another build."""
    chromosomes = nonpar_from_build("GRCh37-b37", GRCH37, "resources")
    assert chromosomes.x_nonpar == ((0, 60_000), (2_699_520, 154_931_043),
                                    (155_260_560, 155_270_560))
    assert chromosomes.y_nonpar[1] == (2_649_520, 59_034_049)
    assert nonpar_from_build(None, {"chr20": 63_025_520}, "r").x is None
    with pytest.raises(InputError) as caught:
        nonpar_from_build("hg38", GRCH37, "resources")
    assert "the reference is not GRCh38" in caught.value.title
    with pytest.raises(InputError) as caught:
        nonpar_from_build("bp2-demo-1", DEMO, "resources")
    assert "ploidy" in caught.value.hint
