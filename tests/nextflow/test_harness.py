"""The rendered workflow's scripts, run task by task on the demo, against the local engine.

The demo trio runs once with the local engine (low depth, QC failure accepted so every stage
runs).  Then :mod:`tests.nextflow.harness` executes every process's ``script:`` block of the
rendered main.nf in the workflow's dependency order, each task in a directory holding copies of
exactly its declared inputs while the case and every other task are renamed away, and publishes
the declared outputs.  Every published data file must have the local engine's sha256, and every
unit its cache key; run.json assembled from the published provenance must list the same units.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bp2.engine import api
from bp2.engine.local import STATE_DIR
from bp2.engine.run_context import write_run_context
from bp2.fileio import sha256_file
from bp2.nextflow.launch import collect_units
from bp2.nextflow.plan import write_plan
from bp2.nextflow.render import CONFIG, MAIN_NF, render_texts
from bp2.pipeline import load_pipeline
from tests.nextflow.harness import Harness

DEPTH = 4.0
REASON = "low-depth Nextflow harness test"
RECORDS = {"provenance.json", "stage.log"}  # hold hosts, times and task paths


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Harness]:
    root = tmp_path_factory.mktemp("nextflow-harness")
    local = root / "local"
    api.demo(local, depth=DEPTH, progress=False, accept_qc_failure=REASON)
    case_dir = root / "case_src"
    shutil.copytree(local / "demo_case", case_dir)
    nf_out = root / "nextflow"
    pipeline = load_pipeline()
    case = api.load_case(case_dir / "samplesheet.csv", case_dir / "pedigree.ped",
                         resources=case_dir / "resources.yaml", reference=None,
                         panels=(case_dir / "panel.json",), outdir=nf_out)
    state = nf_out / STATE_DIR
    run_context = write_run_context(state, case, pipeline)
    # the run context is an engine file, outside the hidden case directory, like in a real run
    case_json, plan = write_plan(state / "nextflow", case, pipeline, run_context, REASON)
    texts = render_texts(pipeline)
    harness = Harness(texts[MAIN_NF], texts[CONFIG], json.loads(plan.read_text()),
                      pipeline.path, case_json, case_dir, root / "tasks", nf_out)
    harness.run()
    return local, nf_out, harness


def unit_dirs(outdir: Path) -> dict[str, Path]:
    return {str(p.parent.relative_to(outdir)): p.parent
            for p in outdir.rglob("provenance.json") if STATE_DIR not in p.parts}


def data_files(unit: Path) -> dict[str, str]:
    return {str(p.relative_to(unit)): sha256_file(p) for p in sorted(unit.rglob("*"))
            if p.is_file() and p.name not in RECORDS}


@pytest.mark.slow
@pytest.mark.verifies("SRS-400", "SRS-403", "SRS-405")
def test_each_task_reads_only_its_declared_inputs_and_matches_the_local_engine(
    runs: tuple[Path, Path, Harness],
) -> None:
    """It runs every rendered script in isolation and publishes the local engine's bytes."""
    local, nf_out, harness = runs
    expected, published = unit_dirs(local), unit_dirs(nf_out)
    assert sorted(published) == sorted(expected)
    assert len(harness.executed) == 13  # 3 samples x 2 per-sample stages + 7 case stages
    differing = {name: sorted(set(data_files(expected[name]).items())
                              ^ set(data_files(published[name]).items()))
                 for name in expected}
    assert {name: diff for name, diff in differing.items() if diff} == {}
    for name in expected:
        local = json.loads((expected[name] / "provenance.json").read_text())
        task = json.loads((published[name] / "provenance.json").read_text())
        assert (task["cache_key"], task["unit"]) == (local["cache_key"], local["unit"]), name


@pytest.mark.slow
@pytest.mark.verifies("SRS-406")
def test_run_record_units_assembled_from_task_provenance_match_the_local_run(
    runs: tuple[Path, Path, Harness],
) -> None:
    """It records the same units, cache keys and output digests as the local engine's run.json."""
    local, nf_out, _ = runs
    pipeline = load_pipeline()
    case = api.load_case(local / "demo_case" / "samplesheet.csv",
                         local / "demo_case" / "pedigree.ped",
                         resources=local / "demo_case" / "resources.yaml", reference=None,
                         panels=(local / "demo_case" / "panel.json",), outdir=nf_out)
    outcome = collect_units(nf_out, case, pipeline, trace={})
    assert outcome.missing == []
    record = json.loads((local / "run.json").read_text())

    def comparable(units: list[dict[str, object]]) -> list[tuple[object, ...]]:
        return sorted((u["stage"], u["version"], u["unit"], u["dir"], u["cache_key"],
                       json.dumps(u["outputs"], sort_keys=True)) for u in units)

    assert comparable([u.model_dump(mode="json") for u in outcome.units]) == comparable(
        record["units"])
