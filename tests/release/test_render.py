"""Tests of the rendered bundle: determinism, the reports' content, the PDF, SBOM and exports."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from html import unescape
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bp2.release.render import VOLATILE
from tests.release.conftest import Released


def _files(bundle: Path) -> dict[str, bytes]:
    return {p.relative_to(bundle).as_posix(): p.read_bytes()
            for p in sorted(bundle.rglob("*")) if p.is_file()}


@pytest.mark.verifies("SRS-381")
def test_two_releases_of_one_commit_are_identical_except_volatile_records(
        released: Released) -> None:
    """It gives identical files for the same commit, except the named volatile records, which
    the manifest lists."""
    a, b = _files(released.first.outdir), _files(released.second.outdir)
    assert sorted(a) == sorted(b)
    manifest = json.loads(a["MANIFEST.json"])
    volatile = set(manifest["volatile"])
    assert set(VOLATILE) <= volatile
    assert volatile <= {*VOLATILE, "logs/tests.log", "logs/validation.log",
                        "records/validation/index.json",
                        "records/validation/VAL-001/result.json"}
    differing = {rel for rel in a if a[rel] != b[rel]} - {"MANIFEST.json"}
    assert differing <= volatile, differing - volatile
    assert "validation.pdf" not in differing and "matrix.xlsx" not in differing
    entries_b = {e["path"]: e for e in json.loads(b["MANIFEST.json"])["files"]}
    for entry in manifest["files"]:
        if entry["path"] not in volatile:
            assert entries_b[entry["path"]] == entry


@pytest.mark.verifies("SRS-373")
def test_matrix_exports_and_links(released: Released) -> None:
    """It writes the matrix as HTML with every item ID a link, and as CSV, XLSX and JSON."""
    bundle = released.first.outdir
    rows = list(csv.DictReader(io.StringIO((bundle / "matrix.csv").read_text())))
    assert {r["srs_id"] for r in rows if r["chain"] == "requirement"} == {
        "SRS-001", "SRS-002", "SRS-003"}
    book = load_workbook(bundle / "matrix.xlsx", read_only=True)
    assert {"Requirements", "Risk", "Findings", "Checks"} <= set(book.sheetnames)
    html = (bundle / "matrix.html").read_text()
    text_only = re.sub(r"<a [^>]*>[^<]*</a>", "", html)
    text_only = re.sub(r"<[^>]+>", " ", text_only)
    assert not re.search(r"\b(UN|SRS|HAZ|VAL)-\d{3}\b", text_only)  # every ID is inside a link
    for item in ("UN-001", "SRS-001", "SRS-002", "SRS-003", "HAZ-001", "VAL-001"):
        assert (bundle / f"items/{item}.html").is_file()


@pytest.mark.verifies("SRS-374", "SRS-376")
def test_verification_and_risk_reports(released: Released) -> None:
    """It reports each SRS with its tests, outcomes and durations, and each hazard's chain to
    verified controls with the matrix before and after controls."""
    bundle = released.first.outdir
    ver = (bundle / "verification.html").read_text()
    assert "tests/test_count.py::test_counts_empty_text" in ver and "verified" in ver
    assert "duration (s)" in ver
    risk = (bundle / "risk.html").read_text()
    assert "serious × probable" in risk and "serious × remote" in risk
    assert "Every residual risk is acceptable" in risk
    assert "Every risk control's requirement was verified in this run" in risk


@pytest.mark.verifies("SRS-375")
def test_validation_report_html_and_pdf(released: Released, tmp_path: Path) -> None:
    """It writes the validation report as HTML and as a PDF whose text holds the release version
    and decision and whose page is not blank."""
    bundle = released.first.outdir
    html = (bundle / "validation.html").read_text()
    assert "lines counted" in html and "Count the sample" in html and ">met<" in html
    text = subprocess.run(["pdftotext", str(bundle / "validation.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "1.0.0" in text and "PASS" in text and "VAL-001" in text
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1",
                    str(bundle / "validation.pdf"), str(tmp_path / "page")], check=True)
    from PIL import Image

    page = next(tmp_path.glob("page*.png"))
    with Image.open(page) as image:
        grey = image.convert("L")
        dark = sum(grey.histogram()[:200])
        assert dark / (grey.width * grey.height) > 0.005


@pytest.mark.verifies("SRS-377", "SRS-378")
def test_soup_sbom_and_resources(released: Released) -> None:
    """It writes the SOUP list and a CycloneDX SBOM of what is installed, and the resources lock
    with each dataset's sha256."""
    bundle = released.first.outdir
    sbom = json.loads((bundle / "sbom.cdx.json").read_text())
    assert sbom["bomFormat"] == "CycloneDX" and sbom["specVersion"] == "1.6"
    purls = {c["purl"] for c in sbom["components"]}
    assert any(p.startswith("pkg:pypi/pyyaml@") for p in purls)
    assert any(p.startswith("pkg:generic/samtools@") for p in purls)
    assert sbom["metadata"]["timestamp"].startswith("2025-03-04T05:06:07")
    soup = (bundle / "soup.html").read_text()
    assert "matches the lock file and the SOUP list" in soup and "samtools" in soup
    lock = json.loads((bundle / "resources.lock.json").read_text())
    names = {(r["source"], r["name"]) for r in lock}
    assert ("VAL-001 dataset", "sample") in names and ("VAL-001 input", "sample.txt") in names


@pytest.mark.verifies("SRS-379", "SRS-382")
def test_release_notes_and_offline_pages(released: Released) -> None:
    """It writes release notes with the anomaly sections, and pages that load nothing from the
    network under a strict Content-Security-Policy."""
    bundle = released.first.outdir
    notes = (bundle / "release-notes.html").read_text()
    assert "Open anomalies" in notes and "Accepted anomalies and their risk" in notes
    assert "samtools" not in notes or "SOUP" in notes
    for page in bundle.rglob("*.html"):
        html = page.read_text()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), page
        assert "default-src 'none'" in unescape(html), page
