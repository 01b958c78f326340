"""Pieces of a protocol execution: the evaluated region, repeat comparison, derived pipeline."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import yaml

from bp2.errors import InputError
from bp2.pipeline import load_pipeline
from bp2.validation.execute import differing_lines, vcf_body, window_bed


@pytest.mark.verifies("SRS-335")
def test_repeat_comparison_ignores_headers_and_counts_records(tmp_path: Path) -> None:
    """It compares VCF data lines only and counts every record present in one run but not both."""
    def vcf(name: str, header: str, body: list[str]) -> Path:
        path = tmp_path / name
        with gzip.open(path, "wt") as handle:
            handle.write(header + "".join(body))
        return path

    rec = ["chr1\t10\t.\tA\tG\t50\tPASS\t.\n", "chr1\t20\t.\tC\tT\t50\tPASS\t.\n"]
    a = vcf("a.vcf.gz", "##date=1\n#CHROM\n", rec)
    b = vcf("b.vcf.gz", "##date=2\n#CHROM\n", rec)
    c = vcf("c.vcf.gz", "##date=2\n#CHROM\n", [rec[0], rec[1].replace("50", "51", 1)])
    assert differing_lines(vcf_body(a), vcf_body(b)) == 0
    assert differing_lines(vcf_body(a), vcf_body(c)) == 2


@pytest.mark.verifies("SRS-333")
def test_window_bed_is_the_intersection(tmp_path: Path) -> None:
    """It intersects the confident BED with the protocol's window, and refuses an empty one."""
    bed = tmp_path / "c.bed"
    bed.write_text("20\t9990000\t10000500\n20\t10005000\t10020000\nX\t1\t5\n")
    out = window_bed(bed, ("20", 9_999_999, 10_010_000), tmp_path / "w.bed")
    assert out.read_text() == "20\t9999999\t10000500\n20\t10005000\t10010000\n"
    assert window_bed(bed, None, tmp_path / "x.bed") == bed
    with pytest.raises(InputError, match="no interval inside the window"):
        window_bed(bed, ("21", 0, 10), tmp_path / "y.bed")


@pytest.mark.verifies("SRS-333")
def test_derived_pipeline_keeps_pins_and_parameters(tmp_path: Path) -> None:
    """It keeps the packaged stages through the named one with their versions and parameters."""
    from bp2.validation.execute import Context, derived_pipeline
    from bp2.validation.protocol import load_protocol

    root = Path(__file__).resolve().parents[2]
    ctx = Context(load_protocol(root, "VAL-003"), root, tmp_path, tmp_path, tmp_path)
    path = derived_pipeline(ctx, "qc_family", tmp_path / "p.yaml")
    derived, packaged = load_pipeline(path), load_pipeline()
    assert [e.id for e in derived.stages][-1] == "qc_family"
    for entry in derived.stages:
        assert entry.params == packaged.get(entry.id).params
        assert entry.stage.VERSION == packaged.get(entry.id).stage.VERSION
    assert "packaged definition" in path.read_text().splitlines()[0]
    assert yaml.safe_load(path.read_text())["seed"] == packaged.seed
