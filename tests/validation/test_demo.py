"""The demo protocols' answer-key comparison and data-file fingerprints."""

from __future__ import annotations

from pathlib import Path

import pytest

from bp2.validation.demo import data_files, tier_figures

HEADER = "chrom\tpos\tref\talt\tkind\texpected_tier\n"


@pytest.mark.verifies("SRS-339")
def test_tier_figures_count_planted_and_decoys(tmp_path: Path) -> None:
    """It counts planted variants in their expected tier only, and decoys in Tier 1 or 2."""
    expected = tmp_path / "expected.tsv"
    expected.write_text(HEADER + "c\t1\tA\tG\tde_novo\tTier1\nc\t2\tA\tG\tx\tTier3\n"
                        "c\t3\tA\tG\tdecoy\tnone\nc\t4\tA\tG\tdecoy\tnone\n")
    tiers = tmp_path / "tiers.tsv"
    tiers.write_text("chrom\tpos\tref\talt\ttier\nc\t1\tA\tG\tTIER1\nc\t2\tA\tG\tTIER1\n"
                     "c\t2\tA\tG\tTIER3\nc\t4\tA\tG\tTIER2\n")
    figures = tier_figures(expected, tiers).values
    assert figures["tiers.planted"] == 2 and figures["tiers.planted_in_expected_tier"] == 1
    assert figures["tiers.planted_not_in_expected_tier"] == 1  # also tiered higher than Tier3
    assert figures["tiers.decoys"] == 2 and figures["tiers.decoys_in_tier1_or_2"] == 1
    missing = tier_figures(expected, tmp_path / "absent.tsv").values
    assert missing["tiers.planted_in_expected_tier"] == 0


@pytest.mark.verifies("SRS-339")
def test_data_files_leave_out_run_records(tmp_path: Path) -> None:
    """It fingerprints data outputs only: run records, logs, provenance and .bp2/ are excluded."""
    for rel in ("call/calls.vcf.gz", "call/provenance.json", "run.json", "bp2.log",
                ".bp2/cache/x.json"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    assert list(data_files(tmp_path)) == ["call/calls.vcf.gz"]
