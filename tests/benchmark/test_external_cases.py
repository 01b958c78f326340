"""bp2's benchmark engine against hap.py's and RTG vcfeval's own expected results."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bp2.benchmark.api import BenchmarkRequest, run_benchmark
from tests.benchmark.external_cases import (
    HAPPY,
    all_differences,
    listed_differences,
)
from tests.testdata import data_file


@pytest.mark.verifies("SRS-313")
def test_differences_are_exactly_the_listed_ones(tmp_path: Path) -> None:
    """It disagrees with hap.py and vcfeval only on the records listed with their reasons."""
    actual = all_differences(tmp_path)
    listed = listed_differences()
    assert listed, "the committed differences table is empty or unreadable"
    new = sorted(set(actual) - set(listed))
    gone = sorted(set(listed) - set(actual))
    assert not new, "unlisted differences:\n" + "\n".join(d.row() for d in new)
    assert not gone, "listed differences that no longer occur (delete their rows):\n" + \
        "\n".join(d.row() for d in gone)


def _expected_rows(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return {(r["Type"], r["Filter"]): r for r in csv.DictReader(handle)}


@pytest.mark.verifies("SRS-313", "SRS-309")
@pytest.mark.parametrize(("folder", "truth", "query", "bed", "expected"), [
    ("decomp", "decomp_test.truth.vcf.gz", "decomp_test.query.vcf.gz",
     "decomp_test.conf.bed.gz", "expected.summary.csv"),
    ("integration", "integrationtest_lhs.vcf", "integrationtest_rhs.vcf", None,
     "expected.integrationtest.summary.csv"),
])
def test_happy_summary_reproduced(tmp_path: Path, folder: str, truth: str, query: str,
                                  bed: str | None, expected: str) -> None:
    """It writes hap.py's expected summary counts, metrics and ratios for its unit cases."""
    base = f"{HAPPY}/{folder}"
    request = BenchmarkRequest(
        truth=data_file(f"{base}/{truth}"), query=data_file(f"{base}/{query}"),
        confident=None if bed is None else data_file(f"{base}/{bed}"))
    run_benchmark(request, tmp_path)
    want = _expected_rows(data_file(f"{base}/{expected}"))
    got = _expected_rows(tmp_path / "summary.csv")
    assert set(want) == set(got)
    for key, row in want.items():
        for column, value in row.items():
            if column.startswith("METRIC") or "ratio" in column:
                mine = got[key][column]
                assert (mine == "" and value == "") or float(mine) == pytest.approx(
                    float(value), abs=1e-6), (key, column)
            else:
                assert got[key][column] == value, (key, column)
