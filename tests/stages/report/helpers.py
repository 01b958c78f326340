"""Builders for report inputs: a real tier run on a hand-made trio, a run context, QC files."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bp2.engine.execute import execute_unit
from bp2.stages.base import StageOutputs
from bp2.stages.report import ReportStage
from bp2.stages.report.stage import ReportInputs, ReportParams
from tests.stages.tier.helpers import (
    MONOALLELIC,
    TRIO,
    Csq,
    Rec,
    panel_record,
    panels_document,
    run_tier,
    write_case,
)

SAMPLES = ("child", "father", "mother")
SCRIPT = "<script>alert(1)</script>"
CASE_ID = "FAM"
PIPELINE_VERSION = "0.7.3"
GENEA, GENEZ = "ENSG00000000001", "ENSG00000000009"

# The tiered variants of the hand-made case and the HGVS the report must show, written here by
# hand (independent of the stages): a de novo stop_gained in panel gene GENEA (Tier 1), whose
# HGVSp carries a <script> INFO value, and a de novo missense in GENEZ, on no panel (Tier 3).
EXPECTED_HGVS = {
    "chr1:1000 C>T": ("ENST00000000001.1:c.100C>T", SCRIPT),
    "chr1:5000 G>A": ("ENST00000000009.2:c.500G>A", "ENSP00000000009.2:p.Gly167Ser"),
}
PANEL_NAME, PANEL_VERSION = "Intellectual disability", "3.14"
GT_DE_NOVO = {"child": "0/1:50:30:15,15", "father": "0/0:50:30:30,0", "mother": "0/0:50:30:30,0"}


def records() -> list[Rec]:
    return [
        Rec("chr1", 1000, "C", "T", GT_DE_NOVO,
            csq=(Csq("stop_gained", "GENEA", GENEA, "ENST00000000001",
                     hgvsc="ENST00000000001.1:c.100C>T", hgvsp=SCRIPT),),
            info={"gnomAD_AF_nfe": "0.0001"}),
        Rec("chr1", 5000, "G", "A", GT_DE_NOVO,
            csq=(Csq("missense_variant", "GENEZ", GENEZ, "ENST00000000009",
                     hgvsc="ENST00000000009.2:c.500G>A",
                     hgvsp="ENSP00000000009.2:p.Gly167Ser"),)),
        # inherited from the unaffected father: segregates under no filter, never tiered
        Rec("chr1", 9000, "A", "G", {"child": "0/1", "father": "0/1", "mother": "0/0"},
            csq=(Csq("stop_gained", "GENEA", GENEA, "ENST00000000001",
                     hgvsc="ENST00000000001.1:c.900A>G"),)),
    ]


def run_context(analysis: str = "vcf") -> dict[str, Any]:
    return {
        "format": "bp2-run-context/1", "bp2_version": "0.1.0", "analysis": analysis,
        "pipeline": {"name": "bp2-germline", "version": PIPELINE_VERSION, "sha256": "a" * 64},
        "stages": [{"id": "panels", "version": "1.0.0"}, {"id": "tier", "version": "1.0.0"},
                   {"id": "report", "version": "1.0.0"}],
        "tools": {"pysam": "0.22.1"},
        "inputs": [{"role": "vcf", "name": "case.vcf", "sha256": "b" * 64},
                   {"role": "pedigree", "name": "case.ped", "sha256": "c" * 64}],
    }


def sample_qc(sample: str, status: str = "pass", reasons: Sequence[str] = (),
              flags: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "sample": sample, "stage": {"id": "qc_alignment", "version": "1.0.0"}, "status": status,
        "failure_reasons": list(reasons), "flags": list(flags),
        "checks": [{"id": "contamination", "description": "contamination", "metric": "f",
                    "value": 0.08 if status == "fail" else 0.001, "comparison": "<=",
                    "threshold": 0.03, "status": status, "flag": None,
                    "reason": "estimated contamination", "source": "GEL"}],
        "metrics": {},
        "panel_genes": [{"gene": "GENEA", "panels": [PANEL_NAME], "status": "assessed",
                         "pct_at_depth": {"15x": 99.5, "20x": 97.25},
                         "under_covered_exons": [{"exon": 3}]}],
    }


def build_inputs(directory: Path, *, qc: Mapping[str, dict[str, Any]] | None = None,
                 accepted: Sequence[str] = (), reason: str | None = None) -> ReportInputs:
    """Tier a hand-made trio with the real tier stage and name the report's inputs."""
    panels = panels_document(panel_record([("GENEA", GENEA, "3", MONOALLELIC)],
                                          name=PANEL_NAME, version=PANEL_VERSION, panel_id=245))
    paths = write_case(directory / "case", SAMPLES, records(), TRIO, panels)
    tier = run_tier(paths, directory / "tier")
    context = directory / "case" / "run_context.json"
    context.write_text(json.dumps(run_context()))
    qc_paths = []
    for sample, document in (qc or {}).items():
        path = directory / "case" / f"{sample}.qc.json"
        path.write_text(json.dumps(document))
        qc_paths.append(path)
    return ReportInputs(
        pedigree=paths["pedigree"], run_context=context,
        tiers=tier.tiers_json,  # type: ignore[attr-defined]
        tier_summary=tier.summary_json,  # type: ignore[attr-defined]
        panels=paths["panels"], sample_qc=tuple(qc_paths),
        accepted_qc_failures=tuple(accepted), qc_acceptance_reason=reason,
    )


def run_report(inputs: ReportInputs, outdir: Path, **params: Any) -> StageOutputs:
    stage = ReportStage()
    outputs, _ = execute_unit(stage, inputs, ReportParams(**params), outdir, unit="test")
    return outputs


def pdf_text(pdf: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*args, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines()
                    if line.startswith("Pages:")))
