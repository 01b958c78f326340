"""Tests of the bp2 command's error reporting and exit codes (run as a user runs it)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bp2.errors import EXIT_CODE_TABLE, ExitCode


def bp2(exe: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([exe, *args], capture_output=True, text=True, check=False)


@pytest.mark.verifies("SRS-015")
def test_exit_code_table_is_printed(bp2_exe: str) -> None:
    """It prints the one exit-code table: 0, 1, 2, 3, 4 and 70."""
    proc = bp2(bp2_exe, "exit-codes")
    assert proc.returncode == 0
    codes = [int(line.split()[0]) for line in proc.stdout.splitlines()]
    assert codes == [0, 1, 2, 3, 4, 70] == [int(c) for c, _ in EXIT_CODE_TABLE]


@pytest.mark.verifies("SRS-014", "SRS-015")
def test_unknown_option_is_a_usage_error(bp2_exe: str) -> None:
    """It exits 2 for an unknown option."""
    assert bp2(bp2_exe, "run", "--no-such-option").returncode == ExitCode.USAGE


@pytest.mark.verifies("SRS-014", "SRS-015")
def test_resume_and_force_together_is_a_usage_error(bp2_exe: str, tmp_path: Path) -> None:
    """It exits 2 and names both options when --resume and --force are combined."""
    proc = bp2(bp2_exe, "demo", "--outdir", str(tmp_path / "o"), "--resume", "--force")
    assert proc.returncode == ExitCode.USAGE
    assert "--resume" in proc.stderr and "--force" in proc.stderr


@pytest.mark.verifies("SRS-014", "SRS-015")
def test_missing_samplesheet_is_bad_input_without_traceback(bp2_exe: str, tmp_path: Path) -> None:
    """It exits 3 naming the missing samplesheet and how to fix it, with no traceback."""
    ped = tmp_path / "f.ped"
    ped.write_text("F A 0 0 1 2\n")
    proc = bp2(
        bp2_exe,
        "run",
        "--samplesheet",
        str(tmp_path / "nope.csv"),
        "--pedigree",
        str(ped),
        "--reference",
        str(tmp_path / "ref.fa"),
        "--outdir",
        str(tmp_path / "out"),
        "--quiet",
    )
    assert proc.returncode == ExitCode.BAD_INPUT
    assert "samplesheet not found" in proc.stderr and "nope.csv" in proc.stderr
    assert "fix:" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.verifies("SRS-014", "SRS-015")
def test_samplesheet_error_names_line_and_field(bp2_exe: str, tmp_path: Path) -> None:
    """It exits 3 with the samplesheet's line and field when a row is malformed."""
    sheet = tmp_path / "s.csv"
    sheet.write_text("sample,sex,fastq_1,fastq_2\nA,robot,a.fq,b.fq\n")
    ped = tmp_path / "f.ped"
    ped.write_text("F A 0 0 1 2\n")
    proc = bp2(
        bp2_exe,
        "run",
        "--samplesheet",
        str(sheet),
        "--pedigree",
        str(ped),
        "--reference",
        str(tmp_path / "ref.fa"),
        "--outdir",
        str(tmp_path / "out"),
    )
    assert proc.returncode == ExitCode.BAD_INPUT
    assert f"{sheet}:2" in proc.stderr and "field 'sex'" in proc.stderr


@pytest.mark.verifies("SRS-018", "SRS-015")
def test_unknown_stage_is_a_usage_error(bp2_exe: str) -> None:
    """It exits 2 for an unknown stage ID and lists the known ones."""
    proc = bp2(bp2_exe, "stage", "show", "no_such_stage")
    assert proc.returncode == ExitCode.USAGE and "known stages" in proc.stderr


@pytest.mark.verifies("SRS-018")
def test_stage_list_json_matches_the_registry(bp2_exe: str) -> None:
    """It lists every registered stage with version, scope and requirement IDs as JSON."""
    from bp2.stages.registry import STAGES

    listed = json.loads(bp2(bp2_exe, "stage", "list", "--json").stdout)
    assert [(s["id"], s["version"], s["implements"]) for s in listed] == [
        (s.ID, s.VERSION, list(s.IMPLEMENTS)) for s in STAGES
    ]
    shown = json.loads(bp2(bp2_exe, "stage", "show", STAGES[0].ID).stdout)
    assert {"inputs", "outputs", "params"} <= set(shown)
    assert shown["inputs"]["additionalProperties"] is False


@pytest.mark.verifies("SRS-004", "SRS-014")
def test_stage_run_refuses_bad_inputs_and_params(bp2_exe: str, tmp_path: Path) -> None:
    """It exits 3 for malformed inputs JSON and for an unknown parameter, naming the field."""
    from bp2.stages.registry import STAGES

    stage_id = STAGES[0].ID
    inputs = tmp_path / "inputs.json"
    inputs.write_text("{not json")
    proc = bp2(
        bp2_exe, "stage", "run", stage_id, "--inputs", str(inputs), "--outdir", str(tmp_path / "o")
    )
    assert proc.returncode == ExitCode.BAD_INPUT and "not valid JSON" in proc.stderr
    inputs.write_text(json.dumps({"unexpected_field": 1}))
    proc = bp2(
        bp2_exe, "stage", "run", stage_id, "--inputs", str(inputs), "--outdir", str(tmp_path / "o")
    )
    assert proc.returncode == ExitCode.BAD_INPUT and "unexpected_field" in proc.stderr
