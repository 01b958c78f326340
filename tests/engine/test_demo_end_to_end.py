"""The demo end to end at its full 35× depth: QC passes, calls match the truth, tiers match.

One ``bp2 demo`` run (as a user runs it, about a minute) is checked against the demo's own
answer keys, which the generator wrote independently of the pipeline: the truth VCF with its
confident regions, and the expected-tier table of planted variants and decoys.
"""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

from bp2.benchmark.compare import compare_files

SAMPLES = ("proband", "father", "mother")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory, bp2_exe: str) -> Path:
    outdir = tmp_path_factory.mktemp("demo") / "run"
    proc = subprocess.run([bp2_exe, "demo", "--outdir", str(outdir), "--threads", "2",
                           "--quiet"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return outdir


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.mark.verifies("SRS-020", "SRS-021")
def test_demo_runs_every_stage_and_passes_qc(demo_run: Path) -> None:
    """It runs every pipeline stage on the demo trio, with every QC check passing."""
    record = json.loads((demo_run / "run.json").read_text())
    assert record["status"] == "completed"
    assert record["qc"] == {"failures": [], "accepted_reason": None}
    assert set(record["stage_versions"]) == {
        "intake", "align", "qc_alignment", "call", "qc_family", "annotate", "panels", "tier",
        "report"}
    assert {u["stage"] for u in record["units"]} == set(record["stage_versions"])
    assert not (demo_run / "qc_failure_report.html").exists()


@pytest.mark.verifies("SRS-020")
@pytest.mark.parametrize("sample", SAMPLES)
def test_demo_calls_match_the_truth(demo_run: Path, sample: str) -> None:
    """It calls each demo sample's variants with recall and precision of at least 0.99."""
    case = demo_run / "demo_case"
    comparison = compare_files(case / "truth.vcf.gz", demo_run / "call" / "calls.vcf.gz",
                               case / "confident.bed", truth_sample=sample, query_sample=sample)
    total = comparison.total
    assert total.tp > 900  # each sample carries about a thousand truth variants
    assert total.recall >= 0.99 and total.precision >= 0.99, comparison.as_dict()


@pytest.mark.verifies("SRS-020")
def test_demo_tiers_match_the_expected_tier_table(demo_run: Path) -> None:
    """It puts every planted variant in its expected tier and no decoy in Tier 1 or 2."""
    expected = rows(demo_run / "demo_case" / "expected_tiers.tsv")
    tiered: dict[tuple[str, str, str, str], set[str]] = {}
    for row in rows(demo_run / "tier" / "tiers.tsv"):
        key = (row["chrom"], row["pos"], row["ref"], row["alt"])
        tiered.setdefault(key, set()).add(row["tier"].upper())
    for row in expected:
        key = (row["chrom"], row["pos"], row["ref"], row["alt"])
        got = tiered.get(key, set())
        want = row["expected_tier"].upper()
        if want == "NONE":
            assert not got & {"TIER1", "TIER2"}, (row["kind"], key, got)
            assert not got, (row["kind"], key, got)
        else:
            assert want in got, (row["kind"], key, got)
            assert not got & {"TIER1", "TIER2", "TIER3"} - {want}, (row["kind"], key, got)
    planted = {(r["chrom"], r["pos"], r["ref"], r["alt"]) for r in expected}
    assert set(tiered) <= planted, set(tiered) - planted  # nothing tiered beyond the answer key


@pytest.mark.verifies("SRS-020")
def test_demo_tiering_uses_the_inferred_sexes(demo_run: Path) -> None:
    """It hands each sample's sex inferred by alignment QC to tiering, agreeing with the PED."""
    sexes = json.loads((demo_run / "tier" / "summary.json").read_text())["sex"]
    assert sexes["x_linked_segregation"] is True
    assert {s["sample"]: (s["inferred"], s["ped"], s["flag"]) for s in sexes["samples"]} == {
        "proband": ("male", "male", None),
        "father": ("male", "male", None),
        "mother": ("female", "female", None),
    }
