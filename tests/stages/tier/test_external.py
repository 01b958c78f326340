"""External checks on real trio data: slivar's de novo counts and genmod's inheritance models.

**slivar** (brentp/slivar ``tests/functional-tests.sh``, on ``ashk-trio.vcf.gz`` with
``ashk-trio.ped``; HG002 affected son of HG003 and HG004):

* ``check_aliased_info``: ``--info "variant.FILTER == 'PASS' && variant.INFO.DP > 10"
  --trio "denovo:kid.alts == 1 && mom.alts == 0 && dad.alts == 0"`` → 17;
* ``check_denovo_with_filter``: ``variant.FILTER == 'PASS' && kid.alts == 1 && mom.alts == 0
  && dad.alts == 0 && (mom.AD[1] + dad.AD[1]) < 2 && kid.GQ > 10 && mom.GQ > 10 && dad.GQ > 10
  && kid.DP > 10 && mom.DP > 10 && dad.DP > 10`` → 4.

bp2 applies FILTER=PASS and its de novo genotypes (child het, parents hom-ref) always; the rest
are the de novo gate parameters (minimums inclusive, so ``> 10`` is ``11`` for integers).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bp2.engine.execute import execute_unit
from bp2.stages.panels import PanelsStage
from bp2.stages.tier import TierStage
from bp2.validation.protocol import TieringTrioExecution, load_protocol
from bp2.validation.tiering import de_novo_candidates
from tests.stages.tier import genmod_report
from tests.stages.tier.helpers import REPO, RULES
from tests.testdata import data_file

pytestmark = pytest.mark.needs_data

SLIVAR = "family_trio_vcfs/slivar_ashkenazi_trio/"
GENMOD = "family_trio_vcfs/genmod_inheritance_models/"
# the two gate sets are defined once, in validation protocol VAL-005 (bp2 validate runs them too)
_VAL_005 = load_protocol(REPO, "VAL-005").execution
assert isinstance(_VAL_005, TieringTrioExecution)
PARAMS_17, PARAMS_4 = (_VAL_005.stage_params(g) for g in _VAL_005.de_novo)


@pytest.mark.verifies("SRS-234", "SRS-242", "SRS-255", "SRS-259")
def test_slivar_de_novo_counts(tmp_path: Path, bp2_exe: str) -> None:
    """Through `bp2 stage run tier`, the gate parameters reproduce slivar's 17 and 4 de novos."""
    work = tmp_path / "work"
    work.mkdir()
    for name in ("ashk-trio.vcf.gz", "ashk-trio.vcf.gz.csi", "ashk-trio.ped"):
        shutil.copyfile(data_file(SLIVAR + name), work / name)
    shutil.copyfile(RULES, work / "tiering.yaml")
    panels = PanelsStage()
    shutil.copyfile(data_file("panels/scout_panelapp_panels.jsonl"), work / "panels.jsonl")
    made, _ = execute_unit(panels, panels.Inputs(panels=(work / "panels.jsonl",),
                                                 rules=work / "tiering.yaml"),
                           panels.Params(), tmp_path / "panels", unit="test")
    shutil.copyfile(made.panels_json, work / "panels.json")  # type: ignore[attr-defined]
    (work / "inputs.json").write_text(json.dumps({
        "vcf": "ashk-trio.vcf.gz", "vcf_index": "ashk-trio.vcf.gz.csi",
        "pedigree": "ashk-trio.ped", "panels": "panels.json", "rules": "tiering.yaml"}))
    found = {}
    for expected, params in ((17, PARAMS_17), (4, PARAMS_4)):
        (work / f"params{expected}.json").write_text(json.dumps(params))
        proc = subprocess.run([bp2_exe, "stage", "run", "tier", "--inputs", "inputs.json",
                               "--params", f"params{expected}.json", "--outdir",
                               f"out{expected}"], cwd=work, capture_output=True, text=True,
                              check=False)
        assert proc.returncode == 0, proc.stderr
        out = work / f"out{expected}"
        de_novo = de_novo_candidates(out / "segregation.tsv")
        summary = json.loads((out / "summary.json").read_text())
        assert len(de_novo) == len(set(de_novo)) == expected
        assert summary["segregation"]["complete"]["deNovo"] == expected
        provenance = json.loads((out / "provenance.json").read_text())
        assert provenance["duration_s"] < 60  # SRS-259: 9,940 records on one core
        found[expected] = set(de_novo)
    assert found[4] <= found[17]  # on this file the stricter gates keep a subset


@pytest.mark.verifies("SRS-256")
def test_genmod_comparison(tmp_path: Path, bp2_exe: str) -> None:
    """It agrees with genmod's models except the explained differences, as committed."""
    segregation = genmod_report.run_bp2(data_file(GENMOD + "test_vcf_regions.vcf"),
                                        data_file(GENMOD + "recessive_trio.ped"),
                                        tmp_path, bp2_exe)
    genmod = genmod_report.genmod_models(
        data_file(GENMOD + "test_vcf_regions_models.vcf").read_text())
    bp2 = genmod_report.bp2_filters(segregation)
    tables = genmod_report.compare(genmod, bp2)
    assert len(genmod) == 15
    for model in ("AR_hom", "AR_comp", "AD"):  # full agreement on the core models
        cells = tables[model]
        assert not cells[(True, False)] and not cells[(False, True)], model
    found = genmod_report.disagreements(tables)
    assert found == set(genmod_report.EXPLANATIONS)  # every one explained, none stale
    committed = Path(genmod_report.__file__).with_name("genmod_comparison.md").read_text()
    assert committed == genmod_report.render(genmod, bp2), (
        "genmod_comparison.md is out of date: run python -m tests.stages.tier.genmod_report")
    # the MT explanation's claim: under incomplete penetrance bp2 reports MitochondrialGenome
    stage = TierStage()
    inputs = json.loads((tmp_path / "inputs.json").read_text())
    paths = {k: (tmp_path / v if not Path(v).is_absolute() else Path(v))
             for k, v in inputs.items()}
    out, _ = execute_unit(stage, stage.Inputs.model_validate(paths),
                          stage.Params(require_frequency_annotation=False,
                                       penetrance="incomplete"),  # type: ignore[arg-type]
                          tmp_path / "incomplete", unit="test")
    incomplete = genmod_report.bp2_filters(out.segregation_tsv,  # type: ignore[attr-defined]
                                           "incomplete")
    assert "MitochondrialGenome" in incomplete["MT:302253"]
