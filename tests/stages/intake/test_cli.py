"""``bp2 stage run intake`` on a directory holding only the files named in inputs.json."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.stages.intake.answer_key import FASTQ, REFERENCE, SEXES, TRIO, affected_child_ped
from tests.stages.intake.cases import run_cli
from tests.testdata import data_file


def isolated_trio(folder: Path) -> tuple[Path, set[Path]]:
    """Copies of the trio FASTQs, hs37d5 FASTA with .fai/.gzi, samplesheet and PED; nothing else."""
    folder.mkdir()
    reads = []
    rows = ["sample,sex,fastq_1,fastq_2"]
    for sample, pattern in FASTQ.items():
        names = []
        for mate in (1, 2):
            name = pattern.format(mate)
            shutil.copyfile(data_file(f"{TRIO}/derived/{name}"), folder / name)
            names.append(name)
        rows.append(f"{sample},{SEXES[sample]},{names[0]},{names[1]}")
        reads.append({"sample": sample, "fastq_1": names[0], "fastq_2": names[1]})
    for suffix in ("", ".fai", ".gzi"):
        shutil.copyfile(data_file(REFERENCE + suffix), folder / Path(REFERENCE + suffix).name)
    (folder / "samplesheet.csv").write_text("\n".join(rows) + "\n")
    ped = affected_child_ped(folder)
    name = Path(REFERENCE).name
    inputs = {"samplesheet": "samplesheet.csv", "pedigree": ped.name, "reads": reads,
              "reference": name, "reference_index": name + ".fai",
              "reference_gzi": name + ".gzi"}
    named = {p.resolve() for p in folder.iterdir()}
    (folder / "inputs.json").write_text(json.dumps(inputs))
    return folder / "inputs.json", named


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-112", "SRS-101")
def test_runs_alone_on_only_the_named_files(bp2_exe: str, tmp_path: Path) -> None:
    """It runs through bp2 stage run reading only the files named in inputs.json (strace-checked
    when strace is installed)."""
    inputs, named = isolated_trio(tmp_path / "case")
    outdir = tmp_path / "out"
    strace = shutil.which("strace")
    trace = tmp_path / "trace.txt"
    if strace is not None:
        cmd = [strace, "-f", "-e", "trace=open,openat", "-o", str(trace), bp2_exe]
    else:
        cmd = [bp2_exe]
    proc = subprocess.run([*cmd, "stage", "run", "intake", "--inputs", str(inputs), "--outdir",
                           str(outdir)], capture_output=True, text=True, cwd=tmp_path,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((outdir / "intake.json").read_text())
    assert [s["read_pairs"] for s in summary["samples"]] == [881, 1_258, 1_211]
    provenance = json.loads((outdir / "provenance.json").read_text())
    assert {Path(d["path"]).resolve() for d in provenance["input_files"].values()} == named
    if strace is not None:
        opened = {Path(m).resolve() for m in re.findall(r'open(?:at)?\(.*?"([^"]+)"',
                                                         trace.read_text())}
        under_case = {p for p in opened if p.is_relative_to(inputs.parent.resolve())}
        assert under_case - {inputs.resolve()} == named  # every named file, and nothing else


@pytest.mark.verifies("SRS-111")
def test_an_invalid_inputs_file_is_refused(bp2_exe: str, tmp_path: Path) -> None:
    """It refuses inputs.json with a reads entry giving both FASTQ and BAM, naming the field."""
    inputs = tmp_path / "inputs.json"
    inputs.write_text(json.dumps({
        "samplesheet": "s.csv", "pedigree": "p.ped", "reference": "r.fa",
        "reference_index": "r.fa.fai",
        "reads": [{"sample": "A", "fastq_1": "a", "fastq_2": "b", "bam": "c", "bam_index": "d"}],
    }))
    code, message = run_cli(bp2_exe, inputs, tmp_path / "out")
    assert code == 3 and "reads.0" in message and "either fastq_1 and fastq_2" in message
