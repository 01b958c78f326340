"""``bp2 run --engine nextflow``: its environment check and the command it launches."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bp2.errors import EnvironmentProblem, UsageError
from bp2.nextflow.launch import (
    NextflowOptions,
    Runtime,
    check_options,
    find_runtime,
    launch_env,
    nextflow_command,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.verifies("SRS-404")
def test_without_nextflow_the_run_exits_4_and_says_how_to_install(
    tmp_path: Path, bp2_exe: str
) -> None:
    """It exits 4 naming nextflow and how to install it, and writes nothing, without Nextflow."""
    case = tmp_path / "case"
    case.mkdir()
    outdir = tmp_path / "out"
    env = {**os.environ, "PATH": "/usr/bin:/bin"}  # java is here, nextflow is not
    proc = subprocess.run(
        [bp2_exe, "run", "--samplesheet", str(case / "s.csv"), "--pedigree", str(case / "p.ped"),
         "--reference", str(case / "r.fa"), "--outdir", str(outdir), "--engine", "nextflow"],
        capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 4, proc.stderr
    text = " ".join(proc.stderr.split())
    assert "needs nextflow" in text and "get.nextflow.io" in text and "Java 17" in text
    assert not outdir.exists()


@pytest.mark.verifies("SRS-404")
def test_missing_java_is_reported_too(tmp_path: Path) -> None:
    """It names Java when a nextflow launcher is on PATH but no Java is."""
    fake = tmp_path / "nextflow"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    with pytest.raises(EnvironmentProblem, match="needs java"):
        find_runtime({"PATH": str(tmp_path)})
    runtime = find_runtime({"PATH": f"{tmp_path}:/usr/bin:/bin"})
    assert runtime.nextflow == str(fake)


@pytest.mark.verifies("SRS-406")
def test_command_resumes_traces_and_applies_site_config(tmp_path: Path) -> None:
    """It launches nextflow run with the profile, params file, trace, site config and -resume."""
    site = tmp_path / "site.config"
    site.write_text("process.queue = 'long'\n")
    runtime = Runtime(nextflow="/opt/nf/nextflow", java="/usr/lib/jvm/java-17/bin/java")
    options = NextflowOptions(profile="slurm", configs=(site,))
    state = tmp_path / ".bp2" / "nextflow"
    command = nextflow_command(runtime, state, options, resume=True)
    assert command[:5] == ["/opt/nf/nextflow", "-log", str(state / "nextflow.log"), "run",
                           str(state / "main.nf")]
    pairs = dict(zip(command[5::2], command[6::2], strict=False))
    assert pairs["-profile"] == "slurm"
    assert pairs["-params-file"] == str(state / "params.json")
    assert pairs["-with-trace"] == str(state / "trace.tsv")
    assert pairs["-work-dir"] == str(state / "work")
    assert pairs["-c"] == str(site.resolve())
    assert command[-1] == "-resume"
    assert "-resume" not in nextflow_command(runtime, state, options, resume=False)
    env = launch_env(runtime, {"PATH": "/usr/bin"})
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)


@pytest.mark.verifies("SRS-406")
def test_options_are_checked_before_launch(tmp_path: Path) -> None:
    """It refuses an unknown profile, a missing site config and AWS Batch without S3."""
    with pytest.raises(UsageError, match="unknown Nextflow profile"):
        check_options(NextflowOptions(profile="lsf"))
    with pytest.raises(UsageError, match="S3 work directory"):
        check_options(NextflowOptions(profile="awsbatch", work_dir=str(tmp_path)))
    check_options(NextflowOptions(profile="awsbatch", work_dir="s3://bucket/work"))
    with pytest.raises(Exception, match="not found"):
        check_options(NextflowOptions(configs=(tmp_path / "absent.config",)))
