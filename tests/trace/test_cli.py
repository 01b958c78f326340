"""Tests of the ``bp2 trace`` commands run as processes, with their output and exit codes.

Most tests run ``python -m bp2.trace`` (the same commands without the pipeline's start-up cost);
one shows that the installed ``bp2 trace`` gives the same output and exit code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.trace.factory import Project, srs, un


def _run(exe: list[str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*exe, *args], cwd=cwd, capture_output=True, text=True, check=False,
                          timeout=120)


@pytest.fixture
def bp2() -> list[str]:
    """``bp2`` as far as the trace commands go: ``python -m bp2.trace`` takes the arguments
    that follow ``bp2 trace``."""
    return [sys.executable, "-m", "bp2.trace"]


@pytest.mark.verifies("SRS-045", "SRS-054")
def test_clean_history_exits_zero_from_a_subfolder(bp2: list[str], project: Project) -> None:
    """It finds the root from a sub-folder, prints a summary and exits 0 without errors."""
    done = _run(bp2, "check", cwd=project.root / "requirements")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("0 error(s), 0 warning(s) — 4 items (1 UN, 1 SRS, 1 HAZ, 1 VAL)")


@pytest.mark.verifies("SRS-045")
def test_errors_are_listed_sorted_and_exit_one(bp2: list[str], project: Project) -> None:
    """It lists errors before warnings, each with a fix, and exits 1."""
    project.item(un("UN-002"))
    project.item(srs("SRS-002", parents=["UN-404"]))
    project.item(srs("SRS-003", parents=["UN-001"], exemption="Met by the SOP, not code."))
    done = _run(bp2, "check", "--root", str(project.root), cwd=project.root.parent)
    assert done.returncode == 1
    lines = [line for line in done.stdout.splitlines() if not line.startswith(" ")]
    severities = [line.split()[0] for line in lines[:-1]]
    assert severities == sorted(severities, key=lambda s: s != "error") and "warning" in severities
    assert "fix:" in done.stdout and "trace check failed" in done.stderr


@pytest.mark.verifies("SRS-045", "SRS-053")
def test_json_output_is_stable(bp2: list[str], project: Project) -> None:
    """It prints the same JSON findings on every run."""
    project.item(un("UN-002"))
    first = _run(bp2, "check", "--format", "json", cwd=project.root)
    second = _run(bp2, "check", "--format", "json", cwd=project.root)
    assert first.stdout == second.stdout
    doc = json.loads(first.stdout)
    assert doc["errors"] == 2 and {f["check"] for f in doc["findings"]} == {
        "un-without-srs", "un-without-validation"}


@pytest.mark.verifies("SRS-045")
def test_strict_turns_warnings_into_failure(bp2: list[str], project: Project) -> None:
    """It exits 1 with --strict when only warnings are found."""
    project.item(srs("SRS-001", parents=["UN-001"]))
    assert _run(bp2, "check", cwd=project.root).returncode == 0
    assert _run(bp2, "check", "--strict", cwd=project.root).returncode == 1


@pytest.mark.verifies("SRS-031")
def test_invalid_item_exits_three_naming_file_and_field(bp2: list[str],
                                                        project: Project) -> None:
    """It exits 3 and names the file and field of an invalid item."""
    project.item(srs("SRS-002", type="wish"))
    done = _run(bp2, "check", cwd=project.root)
    assert done.returncode == 3
    assert "requirements/SRS-002.yaml field 'type'" in done.stderr


@pytest.mark.verifies("SRS-046")
def test_matrix_writes_the_file_and_reports(bp2: list[str], project: Project) -> None:
    """It writes the matrix to the path given and prints what it wrote."""
    out = project.root / "build" / "matrix.csv"
    done = _run(bp2, "matrix", "--format", "csv", "--out", str(out), cwd=project.root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {out} (csv): 0 error(s)")
    assert out.read_text().startswith("chain,un_ids,")


@pytest.mark.verifies("SRS-046")
def test_matrix_refuses_an_unknown_format(bp2: list[str], project: Project) -> None:
    """It exits 2 for a format it does not write."""
    done = _run(bp2, "matrix", "--format", "pdf", "--out", "m.pdf", cwd=project.root)
    assert done.returncode == 2


@pytest.mark.verifies("SRS-048", "SRS-036")
def test_review_then_show(bp2: list[str], project: Project) -> None:
    """It re-stamps links with review and shows the new stamp with show."""
    project.item(srs("SRS-001", parents=["UN-001"]))
    done = _run(bp2, "review", "SRS-001", "--by", "Grace Hopper", cwd=project.root)
    assert done.returncode == 0 and "was unreviewed" in done.stdout
    shown = _run(bp2, "show", "SRS-001", cwd=project.root)
    assert "reviewed by Grace Hopper" in shown.stdout


@pytest.mark.verifies("SRS-045")
def test_installed_bp2_trace_matches_the_module(bp2: list[str], bp2_exe: str,
                                               project: Project) -> None:
    """It gives the same output and exit code through the installed bp2 trace command."""
    project.item(un("UN-002"))
    via_bp2 = _run([bp2_exe, "trace"], "check", cwd=project.root)
    via_module = _run(bp2, "check", cwd=project.root)
    assert (via_bp2.returncode, via_bp2.stdout) == (via_module.returncode, via_module.stdout)
    assert via_bp2.returncode == 1 and "trace check failed" in via_bp2.stderr
