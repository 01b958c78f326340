"""Runs bp2's tier stage on genmod's example VCF and writes ``genmod_comparison.md``.

The comparison itself — the input conversion, genmod's and bp2's models per record, the name
mapping, the per-model confusion tables and the committed explanation of every disagreement —
lives in :mod:`bp2.validation.genmod`, shared with ``bp2 validate VAL-005``; it is re-exported
here for the tier tests.  This module adds the test-side run: ``bp2 stage run tier`` as a
subprocess, with a hand-made panels.json (NOC2L green; panels do not change ``segregation.tsv``)
and the repository's ``pipeline/tiering.yaml``.  Run ``python -m tests.stages.tier.genmod_report``
to rewrite ``genmod_comparison.md``; a test proves the committed file is current.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bp2.validation.genmod import (
    EXPLANATIONS,
    FAMILY_SAMPLES,
    GRCH37,
    MODELS,
    Comparison,
    bp2_filters,
    compare,
    convert,
    disagreements,
    genmod_models,
    render,
    write_tier_case,
)
from tests.stages.tier.helpers import RULES, panel_record, panels_document

__all__ = ["EXPLANATIONS", "FAMILY_SAMPLES", "GRCH37", "MODELS", "Comparison", "bp2_filters",
           "compare", "convert", "disagreements", "genmod_models", "render", "run_bp2"]


def run_bp2(genmod_input: Path, ped: Path, workdir: Path, bp2: str) -> Path:
    """Run ``bp2 stage run tier`` on the converted genmod VCF; return segregation.tsv."""
    workdir.mkdir(parents=True, exist_ok=True)
    panels = workdir / "panels.json"
    panels.write_text(json.dumps(panels_document(panel_record(
        [("NOC2L", "ENSG00000188976", "3", "BIALLELIC, autosomal or pseudoautosomal")]))))
    inputs = write_tier_case(genmod_input, ped, panels, RULES, workdir)
    params = workdir / "params.json"
    params.write_text(json.dumps({"require_frequency_annotation": False}))
    out = workdir / "out"
    proc = subprocess.run([bp2, "stage", "run", "tier", "--inputs", str(inputs), "--params",
                           str(params), "--outdir", str(out)], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"bp2 stage run tier failed: {proc.stderr}")
    return out / "segregation.tsv"


def main() -> None:  # pragma: no cover - maintenance entry point
    import tempfile

    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data")
    base = data / "family_trio_vcfs" / "genmod_inheritance_models"
    with tempfile.TemporaryDirectory() as tmp:
        bp2 = str(Path(sys.executable).parent / "bp2")
        seg = run_bp2(base / "test_vcf_regions.vcf", base / "recessive_trio.ped", Path(tmp), bp2)
        text = render(genmod_models((base / "test_vcf_regions_models.vcf").read_text()),
                      bp2_filters(seg))
    target = Path(__file__).with_name("genmod_comparison.md")
    target.write_text(text)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
