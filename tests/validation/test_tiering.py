"""The ``tiering-trio`` protocol kind (VAL-005): de novo counts and the genmod comparison.

The real-data tests execute VAL-005 exactly as ``bp2 validate VAL-005`` does (about 5-8 s each on
one core: three tier-stage runs on 9,940 + 15 records).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bp2.errors import CheckFailed, InputError
from bp2.validation.api import validate
from bp2.validation.genmod import Comparison
from bp2.validation.plots import tiering_plots
from bp2.validation.protocol import TieringTrioExecution, load_protocol
from bp2.validation.tiering import de_novo_candidates
from tests.testdata import require_data

REPO = Path(__file__).resolve().parents[2]


def _project(tmp_path: Path, edit: dict[str, object] | None = None,
             execution: dict[str, object] | None = None) -> Path:
    """A project holding a copy of VAL-005, its top-level fields or execution fields replaced."""
    root = tmp_path / "project"
    (root / "validation").mkdir(parents=True)
    data = yaml.safe_load((REPO / "validation" / "VAL-005.yaml").read_text())
    data.update(edit or {})
    data["execution"].update(execution or {})
    (root / "validation" / "VAL-005.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return root


@pytest.mark.verifies("SRS-341")
def test_de_novo_candidates_read_segregation_rows(tmp_path: Path) -> None:
    """It lists every deNovo row of the chosen penetrance, repeats included, and nothing else."""
    tsv = tmp_path / "segregation.tsv"
    tsv.write_text("chrom\tpos\tref\talt\tsegregation\tpenetrance\n"
                   "1\t10\tA\tG\tdeNovo\tcomplete\n1\t10\tA\tG\tdeNovo\tcomplete\n"
                   "1\t20\tC\tT\tdeNovo\tincomplete\n1\t30\tG\tA\tSimpleRecessive\tcomplete\n")
    assert de_novo_candidates(tsv) == ["1:10:A:G", "1:10:A:G"]
    assert de_novo_candidates(tsv, "incomplete") == ["1:20:C:T"]


@pytest.mark.verifies("SRS-344")
def test_refuses_bad_execution_blocks(tmp_path: Path) -> None:
    """It refuses unknown keys, repeated gate sets and unknown stage parameters before running."""
    execution = load_protocol(REPO, "VAL-005").execution
    assert isinstance(execution, TieringTrioExecution)
    gates = [g.model_dump() for g in execution.de_novo]

    root = _project(tmp_path / "a", execution={"panels": "panelapp"})
    with pytest.raises(InputError, match="no dataset has key 'panelapp'") as err:
        load_protocol(root, "VAL-005")
    assert err.value.field == "execution.panels"

    root = _project(tmp_path / "b", execution={"de_novo": [gates[0], gates[0]]})
    with pytest.raises(InputError, match="unique") as err:
        load_protocol(root, "VAL-005")
    assert err.value.exit_code == 3

    typo = {**gates[1], "params": {**gates[1]["params"], "denovo_child_min_qg": 11}}
    root = _project(tmp_path / "c", execution={"de_novo": [gates[0], typo]})
    outdir = tmp_path / "c" / "out"
    with pytest.raises(InputError) as err:
        validate(root, ["VAL-005"], outdir, test_data=tmp_path / "no-data")
    assert err.value.field == "execution.de_novo[1].params.denovo_child_min_qg"
    assert err.value.path == str(root / "validation" / "VAL-005.yaml")
    assert not (outdir / "VAL-005").exists()  # nothing ran, no record


@pytest.mark.verifies("SRS-343")
def test_plots_are_written_and_listed(tmp_path: Path) -> None:
    """It writes the de novo counts plot and one confusion table per model, listed by name."""
    comparison = Comparison.of({"1:1": frozenset({"AD_dn"}), "1:2": frozenset()},
                               {"1:2": frozenset({"deNovo"})}, {})
    names = tiering_plots(tmp_path, "VAL-X", {"a": 17, "b": 3}, {"a": 17.0, "b": 4.0},
                          comparison)
    assert names == ["de_novo_counts.png", "genmod_confusion.png"]
    for name in names:
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert tiering_plots(tmp_path / "none", "VAL-X", {}, {}, None) == []


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-341", "SRS-342", "SRS-343")
def test_val_005_reproduces_slivar_and_explains_genmod(tmp_path: Path) -> None:
    """It passes VAL-005: 17 and 4 de novos as slivar, every genmod disagreement explained."""
    data = require_data()
    [record] = validate(REPO, ["VAL-005"], tmp_path, test_data=data)
    assert record.status == "passed", record.failed_criteria
    f = record.figures
    assert (f["de_novo.aliased_info.candidates"], f["de_novo.denovo_with_filter.candidates"]) \
        == (17, 4)
    assert f["de_novo.aliased_info.rows"] == f["de_novo.aliased_info.summary_count"] == 17
    assert (f["genmod.records"], f["genmod.unexplained"],
            f["genmod.explanations_unmatched"]) == (15, 0, 0)
    for model in ("ar_hom", "ar_comp", "ad", "de_novo", "x_linked", "ar_hom_dn"):
        cells = [f[f"genmod.{model}.{c}"] for c in ("both", "genmod_only", "bp2_only", "neither")]
        assert sum(cells) == 15, model
    assert f["genmod.ar_hom.genmod_only"] == f["genmod.ar_hom.bp2_only"] == 0
    assert set(record.stage_versions) == {"panels", "tier"}
    assert len(record.inputs) == 9 and all(len(i.sha256) == 64 for i in record.inputs)
    out = tmp_path / "VAL-005"
    assert sorted(record.plots) == ["de_novo_counts.png", "genmod_confusion.png"]
    assert all((out / p).stat().st_size > 0 for p in record.plots)
    strict = (out / "de_novo" / "denovo_with_filter" / "candidates.txt").read_text().split()
    loose = (out / "de_novo" / "aliased_info" / "candidates.txt").read_text().split()
    assert len(strict) == 4 and set(strict) <= set(loose)
    committed = REPO / "tests" / "stages" / "tier" / "genmod_comparison.md"
    assert (out / "genmod" / "genmod_comparison.md").read_text() == committed.read_text()
    [genmod] = record.comparator_results
    assert genmod.versions == {"genmod": "3.2.6"}


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-341")
def test_val_005_failures_are_recorded_or_refused(tmp_path: Path) -> None:
    """It records a missed count as failed (exit 1) and refuses an altered dataset (exit 3)."""
    data = require_data()
    protocol = yaml.safe_load((REPO / "validation" / "VAL-005.yaml").read_text())
    criteria = protocol["acceptance_criteria"]
    criteria[0]["threshold"] = 16
    root = _project(tmp_path / "a", {"acceptance_criteria": criteria})
    with pytest.raises(CheckFailed):
        validate(root, ["VAL-005"], tmp_path / "a" / "out", test_data=data)
    record = yaml.safe_load((tmp_path / "a" / "out" / "VAL-005" / "result.json").read_text())
    assert record["status"] == "failed"
    assert [c["value"] for c in record["criteria"]] == [17.0, 4.0, 0.0, 0.0]
    assert [c["passed"] for c in record["criteria"]] == [False, True, True, True]

    datasets = protocol["datasets"]
    datasets[3]["sha256"] = "0" * 64
    root = _project(tmp_path / "b", {"datasets": datasets})
    with pytest.raises(InputError, match="sha256") as err:
        validate(root, ["VAL-005"], tmp_path / "b" / "out", test_data=data)
    assert err.value.exit_code == 3 and err.value.field == "datasets[3].sha256"
    assert not (tmp_path / "b" / "out" / "VAL-005").exists()
