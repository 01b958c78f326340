"""Answer key of the ``report`` stage: a hand-made trio tiered by the real tier stage, checked
against values written here by hand and read back from the PDF by a second tool (pdftotext).

The independent source is :data:`tests.stages.report.helpers.EXPECTED_HGVS` (the HGVS of the two
variants that must be tiered, worked out by hand: a de novo stop_gained in the green panel gene
GENEA is Tier 1, a de novo missense in GENEZ, on no panel, is Tier 3; the third variant is
inherited from the unaffected father and is not tiered), the case ID (the PED family ID), the
panel name and version and the pipeline version written into the inputs.  ``normalise`` gives
``report.json`` (the view model), which is deterministic.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bp2.stages.base import StageInputs, StageOutputs, StageParams
from bp2.stages.report.stage import ReportOutputs, ReportParams
from tests.stages.conformance import AnswerKey
from tests.stages.report.helpers import (
    CASE_ID,
    EXPECTED_HGVS,
    PANEL_NAME,
    PANEL_VERSION,
    PIPELINE_VERSION,
    build_inputs,
    pdf_text,
)


def flat(text: str) -> str:
    """pdftotext output with every run of whitespace made one space."""
    return re.sub(r"\s+", " ", text)


def build(directory: Path) -> tuple[StageInputs, StageParams]:
    return build_inputs(directory), ReportParams()


def check(outputs: StageOutputs) -> None:
    assert isinstance(outputs, ReportOutputs)
    text = flat(pdf_text(outputs.report_pdf))
    assert f"Case ID {CASE_ID}" in text
    for variant, (hgvsc, hgvsp) in EXPECTED_HGVS.items():
        assert variant in text and hgvsc in text and hgvsp in text, variant
    assert "c.900A>G" not in text  # inherited from the unaffected father: not tiered
    assert f"{PANEL_NAME} 245 {PANEL_VERSION}" in text  # the panels table: name, ID, version
    assert f"bp2-germline {PIPELINE_VERSION}" in text
    report = json.loads(outputs.report_json.read_text())
    assert [s["total"] for s in report["tiers"]] == [1, 0, 1]


def normalise(outputs: StageOutputs) -> bytes:
    assert isinstance(outputs, ReportOutputs)
    return outputs.report_json.read_bytes()


ANSWER_KEY = AnswerKey(
    stage_id="report",
    source="hand-worked tiers of a hand-made trio (HGVS, case ID, panel and pipeline versions "
    "written in tests/stages/report/helpers.py), read back from the PDF with pdftotext",
    build=build,
    check=check,
    normalise=normalise,
)
