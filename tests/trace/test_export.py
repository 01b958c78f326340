"""Tests of the trace-matrix exports for evidence bundles."""

from __future__ import annotations

import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bp2.trace.export import write_exports, write_reproducible_xlsx
from bp2.trace.matrix import build_matrix
from tests.trace.factory import Project

WHEN = datetime(2025, 6, 7, 8, 9, 10, tzinfo=UTC)


@pytest.mark.verifies("SRS-381", "SRS-373")
def test_xlsx_is_byte_reproducible(project: Project, tmp_path: Path) -> None:
    """It writes the same XLSX bytes twice, dated with the given time, readable by openpyxl."""
    report = project.check()
    matrix = build_matrix(report.graph, report.findings)
    write_reproducible_xlsx(matrix, tmp_path / "a.xlsx", WHEN)
    time.sleep(1.1)
    write_reproducible_xlsx(matrix, tmp_path / "b.xlsx", WHEN)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as book:
        assert all(info.date_time[:3] == (2025, 6, 7) for info in book.infolist())
        assert b"2025-06-07T08:09:10Z" in book.read("docProps/core.xml")
    assert load_workbook(tmp_path / "a.xlsx")["Requirements"]["C2"].value == "SRS-001"


@pytest.mark.verifies("SRS-373")
def test_exports_write_csv_json_xlsx(project: Project, tmp_path: Path) -> None:
    """It writes the three export files side by side."""
    report = project.check()
    paths = write_exports(build_matrix(report.graph, report.findings), tmp_path, WHEN)
    assert [p.name for p in paths] == ["matrix.csv", "matrix.json", "matrix.xlsx"]
    assert all(p.stat().st_size > 0 for p in paths)
