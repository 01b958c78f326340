"""Tests of the ``report`` stage: content, escaping, per-page identifiers, QC refusal, limits."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bp2.case import read_pedigree
from bp2.errors import CheckFailed, PipelineDefinitionError
from bp2.stages.base import CASE_UNIT, BindContext, StageOutputs
from bp2.stages.panels import PanelsStage
from bp2.stages.report import ReportStage
from bp2.stages.report.stage import ReportInputs, ReportOutputs
from bp2.stages.tier import TierStage
from tests.stages.report.answer_key import ANSWER_KEY, flat
from tests.stages.report.helpers import (
    CASE_ID,
    PANEL_NAME,
    PANEL_VERSION,
    SCRIPT,
    build_inputs,
    page_count,
    pdf_text,
    run_report,
    sample_qc,
)

BP2 = str(Path(sys.executable).with_name("bp2"))
STAGE = ReportStage()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> ReportOutputs:
    directory = tmp_path_factory.mktemp("report")
    outputs = run_report(build_inputs(directory), directory / "out")
    assert isinstance(outputs, ReportOutputs)
    return outputs


@pytest.mark.verifies("SRS-260", "SRS-264", "SRS-265", "SRS-266", "SRS-267", "SRS-269",
                      "SRS-272")
def test_pdf_text_holds_the_case_variants_panels_versions_and_limitations(
        report: ReportOutputs) -> None:
    """Its PDF text holds the case ID, every tiered HGVS, each panel with its version, the
    pipeline version, the limitations and a VCF <script> value as literal text."""
    text = flat(pdf_text(report.report_pdf))
    ANSWER_KEY.check(report)
    assert SCRIPT in text  # shown as text, not run or dropped
    assert f"panel {PANEL_NAME} v{PANEL_VERSION} (panel 245)" in text
    for heading in ("Limitations", "Scope of the analysis", "Tiering assumptions",
                    "What this case's data could not verify"):
        assert heading in text
    assert "a tier is not a classification of pathogenicity" in text
    assert "moi_filters_derived:" in text  # a 'bp2 assumption' rule of tiering.yaml
    assert "Sample QC was not performed" in text  # no qc.json: the data could not verify it
    assert "Stages of this run" in text and "tier 1.0.0" in text


@pytest.mark.verifies("SRS-271")
def test_html_escapes_vcf_text(report: ReportOutputs) -> None:
    """It escapes text from the VCF in the HTML: a <script> INFO value is never markup."""
    html = report.report_html.read_text()
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.verifies("SRS-268")
def test_every_page_carries_case_report_and_input_ids(report: ReportOutputs) -> None:
    """It prints the case ID, the report ID and the input digest on every page."""
    data = json.loads(report.report_json.read_text())
    pages = page_count(report.report_pdf)
    assert pages >= 2
    for page in range(1, pages + 1):
        text = flat(pdf_text(report.report_pdf, page))
        assert f"Case {CASE_ID}" in text, page
        assert f"Report {data['report_id']}" in text, page
        assert f"Input digest (sha256) {data['input_digest_short']}" in text, page
        assert f"Page {page} of {pages}" in text


@pytest.mark.verifies("SRS-273")
def test_first_page_renders_not_blank(report: ReportOutputs, tmp_path: Path) -> None:
    """Its first page, rendered to PNG with pdftoppm, has text-dark pixels on a light page."""
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-f", "1", "-l", "1", "-png",
                    str(report.report_pdf), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    import matplotlib.image

    pixels = matplotlib.image.imread(str(png))
    dark = float((pixels < 0.5).mean())
    assert 0.005 < dark < 0.5, dark


@pytest.mark.verifies("SRS-262", "SRS-273")
def test_outputs_are_byte_identical_and_the_report_id_follows_the_inputs(tmp_path: Path) -> None:
    """It writes byte-identical HTML, PDF and JSON for the same inputs; a changed input changes
    the report ID."""
    inputs = build_inputs(tmp_path / "a")
    first = run_report(inputs, tmp_path / "one")
    second = run_report(inputs, tmp_path / "two")
    for name in ("report_html", "report_pdf", "report_json"):
        assert getattr(first, name).read_bytes() == getattr(second, name).read_bytes(), name
    first_id = json.loads(first.report_json.read_text())["report_id"]  # type: ignore[attr-defined]
    third = run_report(inputs.model_copy(update={"report_date": date(2026, 1, 31)}),
                       tmp_path / "three")
    data = json.loads(third.report_json.read_text())  # type: ignore[attr-defined]
    assert data["report_id"] != first_id and data["report_date"] == "2026-01-31"
    assert "2026-01-31" in flat(pdf_text(third.report_pdf))  # type: ignore[attr-defined]


@pytest.mark.verifies("SRS-270")
def test_refuses_a_report_for_unaccepted_qc_failure(tmp_path: Path) -> None:
    """It issues no report and raises CheckFailed naming the failure when QC failed unaccepted."""
    qc = {"child": sample_qc("child", "fail", ["contamination 0.08 > 0.03"], ["CONTAMINATION"]),
          "father": sample_qc("father"), "mother": sample_qc("mother")}
    inputs = build_inputs(tmp_path, qc=qc)
    with pytest.raises(CheckFailed, match=re.escape("child: contamination 0.08 > 0.03")):
        run_report(inputs, tmp_path / "out")
    assert not (tmp_path / "out" / "report.pdf").exists()


@pytest.mark.verifies("SRS-270", "SRS-264")
def test_shows_an_accepted_qc_failure_with_its_reason(tmp_path: Path) -> None:
    """It shows an accepted QC failure with the operator's reason, and the panel coverage."""
    qc = {"child": sample_qc("child", "fail", ["contamination 0.08 > 0.03"], ["CONTAMINATION"]),
          "father": sample_qc("father"), "mother": sample_qc("mother")}
    reason = "re-extraction impossible; contamination reviewed by Dr Who <MDT 12>"
    inputs = build_inputs(tmp_path, qc=qc, accepted=["qc_alignment [child]: contamination"],
                          reason=reason)
    outputs = run_report(inputs, tmp_path / "out")
    text = flat(pdf_text(outputs.report_pdf))  # type: ignore[attr-defined]
    assert "QC failure accepted by the operator" in text
    assert reason in text and "child: contamination 0.08 > 0.03" in text
    assert "qc_alignment [child]: contamination" in text
    assert "≥15×: 99.5 %; ≥20×: 97.2 %; 1 under-covered exon" in text
    assert "&lt;MDT 12&gt;" in outputs.report_html.read_text()  # type: ignore[attr-defined]


@pytest.mark.verifies("SRS-269")
def test_no_panel_and_tier3_listing_limit_are_stated(tmp_path: Path) -> None:
    """It states that no panel was applied, and counts the Tier 3 variants it does not list."""
    inputs = build_inputs(tmp_path)
    empty = tmp_path / "no_panels.json"
    document = json.loads(inputs.panels.read_text())
    empty.write_text(json.dumps({**document, "panels": []}))
    outputs = run_report(inputs.model_copy(update={"panels": empty}), tmp_path / "out",
                         tier3_listed=0)
    text = flat(pdf_text(outputs.report_pdf))  # type: ignore[attr-defined]
    assert "No panel was applied: only Tier 3" in text
    assert "1 further Tier 3 variant(s) are not listed here" in text
    assert "ENST00000000009.2:c.500G>A" not in text


@pytest.mark.verifies("SRS-261")
def test_refuses_a_malformed_input_document_naming_it(tmp_path: Path) -> None:
    """It refuses a run context missing a field, naming the file and the field (exit 3)."""
    inputs = build_inputs(tmp_path)
    broken = json.loads(inputs.run_context.read_text())
    del broken["pipeline"]
    inputs.run_context.write_text(json.dumps(broken))
    with pytest.raises(Exception, match="pipeline") as caught:
        run_report(inputs, tmp_path / "out")
    assert getattr(caught.value, "exit_code", None) == 3
    assert str(inputs.run_context) in str(caught.value)


def _inputs_json(inputs: ReportInputs, directory: Path) -> Path:
    """Copy every input file into ``directory`` and write inputs.json with relative names."""
    directory.mkdir(parents=True)
    values = inputs.model_dump(mode="json")
    for name in ("pedigree", "run_context", "tiers", "tier_summary", "panels"):
        source = Path(values[name])
        target = directory / f"{name}{source.suffix}"
        shutil.copyfile(source, target)
        values[name] = target.name
    path = directory / "inputs.json"
    path.write_text(json.dumps(values))
    return path


@pytest.mark.verifies("SRS-274")
def test_cli_runs_in_a_directory_holding_only_its_inputs(tmp_path: Path) -> None:
    """It runs through 'bp2 stage run' reading only the files named in inputs.json."""
    inputs_json = _inputs_json(build_inputs(tmp_path / "build"), tmp_path / "alone")
    before = sorted(p.name for p in (tmp_path / "alone").iterdir())
    proc = subprocess.run([BP2, "stage", "run", "report", "--inputs", str(inputs_json),
                           "--outdir", str(tmp_path / "alone" / "out")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "alone" / "out"
    assert {"report.html", "report.pdf", "report.json"} <= {p.name for p in out.iterdir()}
    assert sorted(p.name for p in (tmp_path / "alone").iterdir()) == [*before, "out"] or \
        sorted(p.name for p in (tmp_path / "alone").iterdir()) == sorted([*before, "out"])
    assert not [p for p in out.rglob("*") if ".bp2tmp" in p.name]


@pytest.mark.verifies("SRS-261", "SRS-270")
def test_cli_exit_codes_for_bad_input_and_unaccepted_qc(tmp_path: Path) -> None:
    """It exits 3 naming a missing input file, and 1 naming the failure for unaccepted QC."""
    inputs = build_inputs(tmp_path / "build")
    values = inputs.model_dump(mode="json")
    values["tiers"] = str(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(values))
    proc = subprocess.run([BP2, "stage", "run", "report", "--inputs", str(bad), "--outdir",
                           str(tmp_path / "o1")], capture_output=True, text=True, check=False)
    assert proc.returncode == 3 and "missing.json" in flat(proc.stderr)
    qc = tmp_path / "child.qc.json"
    qc.write_text(json.dumps(sample_qc("child", "fail", ["coverage 0.80 < 0.95"])))
    others = []
    for sample in ("father", "mother"):
        path = tmp_path / f"{sample}.qc.json"
        path.write_text(json.dumps(sample_qc(sample)))
        others.append(str(path))
    values = inputs.model_dump(mode="json") | {"sample_qc": [str(qc), *others]}
    failing = tmp_path / "failing.json"
    failing.write_text(json.dumps(values))
    proc = subprocess.run([BP2, "stage", "run", "report", "--inputs", str(failing),
                           "--outdir", str(tmp_path / "o2")], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 1, proc.stderr
    assert "child: coverage 0.80 < 0.95" in flat(proc.stderr)
    assert not (tmp_path / "o2" / "report.pdf").exists()


class _Qc(StageOutputs):
    qc_json: Path


@pytest.mark.verifies("SRS-263")
def test_bind_takes_tier_panels_qc_and_the_engine_context(tmp_path: Path) -> None:
    """It binds tier, panels and qc_alignment outputs, the run context and accepted failures."""
    ped = tmp_path / "case.ped"
    ped.write_text("F\tchild\tfather\tmother\t1\t2\nF\tfather\t0\t0\t1\t1\n"
                   "F\tmother\t0\t0\t2\t1\n")
    from bp2.case import CaseInputs, CaseVcf

    case = CaseInputs(pedigree=read_pedigree(ped), vcf=CaseVcf(path=tmp_path / "x.vcf"))
    upstream: dict[tuple[str, str], StageOutputs] = {
        ("tier", CASE_UNIT): TierStage.Outputs(
            tiers_tsv=tmp_path / "t.tsv", tiers_json=tmp_path / "t.json",
            segregation_tsv=tmp_path / "s.tsv", summary_json=tmp_path / "sum.json"),
        ("panels", CASE_UNIT): PanelsStage.Outputs(panels_json=tmp_path / "p.json"),
    }
    with pytest.raises(PipelineDefinitionError, match="run context"):
        STAGE.bind(BindContext(case=case, upstream=upstream), CASE_UNIT)
    context = tmp_path / "run_context.json"
    inputs = STAGE.bind(BindContext(case=case, upstream=upstream, run_context=context),
                        CASE_UNIT)
    assert (inputs.tiers, inputs.tier_summary, inputs.panels) == (
        tmp_path / "t.json", tmp_path / "sum.json", tmp_path / "p.json")
    assert inputs.sample_qc == () and inputs.family_qc is None and inputs.pedigree == ped
    for sample in ("child", "father", "mother"):
        upstream[("qc_alignment", sample)] = _Qc(qc_json=tmp_path / f"{sample}.json")
    inputs = STAGE.bind(BindContext(case=case, upstream=upstream, run_context=context,
                                    qc_failures=("qc_alignment [child]: x",),
                                    qc_accepted_reason="reviewed"), CASE_UNIT)
    assert inputs.sample_qc == tuple(tmp_path / f"{s}.json" for s in ("child", "father",
                                                                      "mother"))
    assert inputs.accepted_qc_failures == ("qc_alignment [child]: x",)
    assert inputs.qc_acceptance_reason == "reviewed"
    del upstream[("qc_alignment", "mother")]
    with pytest.raises(PipelineDefinitionError, match="mother"):
        STAGE.bind(BindContext(case=case, upstream=upstream, run_context=context), CASE_UNIT)


@pytest.mark.verifies("SRS-270")
def test_accepted_failures_need_a_reason() -> None:
    """It refuses accepted QC failures given without the operator's reason."""
    with pytest.raises(ValueError, match="qc_acceptance_reason"):
        ReportInputs(pedigree=Path("p"), run_context=Path("c"), tiers=Path("t"),
                     tier_summary=Path("s"), panels=Path("x"), accepted_qc_failures=("a",))


@pytest.mark.verifies("SRS-262")
def test_answer_key(tmp_path: Path) -> None:
    """It passes its answer key (hand-worked tiers read back with pdftotext)."""
    inputs, params = ANSWER_KEY.build(tmp_path / "in")
    from bp2.engine.execute import execute_unit

    outputs, _ = execute_unit(STAGE, inputs, params, tmp_path / "out", unit="answer-key")
    ANSWER_KEY.check(outputs)
    assert ANSWER_KEY.normalise(outputs) == outputs.report_json.read_bytes()  # type: ignore[attr-defined]


@pytest.mark.verifies("SRS-273")
def test_pdf_is_identical_across_processes(tmp_path: Path) -> None:
    """It writes the same PDF bytes from two processes with different hash seeds."""
    inputs_json = _inputs_json(build_inputs(tmp_path / "build"), tmp_path / "alone")
    digests = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([BP2, "stage", "run", "report", "--inputs", str(inputs_json),
                               "--outdir", str(out)], capture_output=True, text=True,
                              check=False, env=env)
        assert proc.returncode == 0, proc.stderr
        digests.append((out / "report.pdf").read_bytes())
    assert digests[0] == digests[1]
