"""The committed Nextflow workflow is the renderer's output, derived from the registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bp2.nextflow.render import CONFIG, MAIN_NF, render, render_texts
from bp2.nextflow.resources import STAGE_RESOURCES
from bp2.pipeline import load_pipeline
from bp2.stages.registry import REGISTRY

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.verifies("SRS-400")
def test_committed_workflow_is_current() -> None:
    """It finds pipeline/main.nf and nextflow.config byte-identical to a fresh render."""
    texts = render_texts(load_pipeline())
    for name in (MAIN_NF, CONFIG):
        committed = (REPO / "pipeline" / name).read_text(encoding="utf-8")
        hint = f"pipeline/{name} is stale: run 'bp2 nextflow render --outdir pipeline'"
        assert committed == texts[name], hint


@pytest.mark.verifies("SRS-400", "SRS-401")
def test_one_process_per_stage_with_labels_and_local_layout() -> None:
    """It renders one process per pipeline stage, with CPU and memory labels and publishDir."""
    pipeline = load_pipeline()
    main = render_texts(pipeline)[MAIN_NF]
    names = re.findall(r"^process (\w+) \{", main, re.MULTILINE)
    assert names == [e.id.upper() for e in pipeline.stages]
    for entry in pipeline.stages:
        body = main.split(f"process {entry.id.upper()} {{", 1)[1].split("\n}\n", 1)[0]
        labels = re.findall(r"label '(\w+)'", body)
        assert labels == list(STAGE_RESOURCES[entry.id].labels)
        assert f"bp2 stage run {entry.id} --inputs _inputs.json --outdir" in body
        assert "path(staged, stageAs: '_in??/*')" in body
        sample = str(entry.stage.SCOPE) == "sample"
        publish = f'"${{params.outdir}}/{entry.id}"' if sample else '"${params.outdir}"'
        assert f"publishDir {publish}" in body
    assert set(STAGE_RESOURCES) == set(REGISTRY)


@pytest.mark.verifies("SRS-400")
def test_scatter_and_gather_follow_what_each_stage_binds() -> None:
    """It joins a per-sample stage to the same sample's upstream and gathers for case stages."""
    main = render_texts(load_pipeline())[MAIN_NF]
    qc = main.split("qc_alignment_tasks = ", 1)[1].split("QC_ALIGNMENT(", 1)[0]
    assert "join(sameUnit(ALIGN.out.unit, 'align')" in qc
    call = main.split("call_tasks = ", 1)[1].split("CALL(", 1)[0]
    assert "combine(allUnits(ALIGN.out.unit, 'align'))" in call
    report = main.split("report_tasks = ", 1)[1].split("REPORT(", 1)[0]
    for gate in ("QC_ALIGNMENT", "QC_FAMILY", "TIER"):
        assert f"allUnits({gate}.out.unit" in report


@pytest.mark.verifies("SRS-402")
def test_config_has_every_profile_and_label(tmp_path: Path) -> None:
    """It writes the standard, slurm, awsbatch, k8s, docker and singularity profiles."""
    written = render(tmp_path)
    assert [p.name for p in written] == [MAIN_NF, CONFIG]
    config = (tmp_path / CONFIG).read_text()
    profiles = config.split("profiles {", 1)[1]
    for profile in ("standard", "slurm", "awsbatch", "k8s", "docker", "singularity"):
        assert re.search(rf"^    {profile} \{{", profiles, re.MULTILINE), profile
    for label in {label for r in STAGE_RESOURCES.values() for label in r.labels}:
        assert f"withLabel: '{label}'" in config
    assert "process.container = params.container" in profiles
