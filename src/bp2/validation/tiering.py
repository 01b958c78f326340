"""The ``tiering-trio`` protocol: GEL tiering on a real trio against slivar and genmod.

Every stage runs alone through :func:`bp2.engine.standalone.run_stage_alone` — the code path of
``bp2 stage run`` — on an ``inputs.json`` and a ``params.json`` written beside its outputs, with
the packaged pipeline definition's pinned parameters overridden only by the protocol's:

1. ``panels`` on the protocol's PanelApp file (with the packaged ``tiering.yaml``), because the
   tier stage needs a ``panels.json``; the comparisons read ``segregation.tsv``, which is made
   before the panel, frequency and impact tests;
2. ``tier`` on the trio VCF once per de novo gate set; the de novo candidates are the distinct
   variants of ``segregation.tsv`` with filter ``deNovo`` under complete penetrance
   (``de_novo.<set>.candidates``; ``summary.json``'s own count is kept beside it);
3. ``tier`` on genmod's example VCF converted for one family (:mod:`bp2.validation.genmod`);
   bp2's filters are compared with genmod's ``GeneticModels`` per record as one confusion table
   per model (``genmod.<model>.{both,genmod_only,bp2_only,neither,agreement}``), and every
   disagreement is looked up in the committed explanations (``genmod.unexplained``,
   ``genmod.explanations_unmatched``).

Kept under ``DIR/<VAL-ID>/``: each stage run's inputs, parameters and outputs, the candidate
lists, ``genmod/genmod_comparison.md`` and the plots.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bp2.engine.execute import Provenance
from bp2.errors import InputError
from bp2.fileio import write_json_atomic, write_text_atomic
from bp2.validation.criteria import Figures
from bp2.validation.execute import Context
from bp2.validation.genmod import (
    MODELS,
    Comparison,
    bp2_filters,
    genmod_models,
    render,
    slug,
    write_tier_case,
)
from bp2.validation.protocol import ParamValue, TieringTrioExecution, resolve_datasets
from bp2.validation.record import ComparatorResult

IMPLEMENTS = ("SRS-341", "SRS-343", "SRS-344")


def de_novo_candidates(segregation_tsv: Path, penetrance: str = "complete") -> list[str]:
    """``chrom:pos:ref:alt`` of every ``deNovo`` row of the tier stage's ``segregation.tsv``
    under the penetrance, in file order (a variant written twice appears twice)."""
    with segregation_tsv.open(newline="", encoding="utf-8") as handle:
        return [f"{row['chrom']}:{row['pos']}:{row['ref']}:{row['alt']}"
                for row in csv.DictReader(handle, delimiter="\t")
                if row["segregation"] == "deNovo" and row["penetrance"] == penetrance]


def check_params(ctx: Context, ex: TieringTrioExecution) -> None:
    """Refuse, before anything runs, parameters the panels or tier stage does not accept."""
    from bp2.stages.panels import PanelsStage
    from bp2.stages.tier import TierStage

    checks: list[tuple[str, type[Any], dict[str, ParamValue]]] = [
        ("execution.panels_params", PanelsStage.Params, ex.panels_params),
        ("execution.params", TierStage.Params, ex.params)]
    checks += [(f"execution.de_novo[{i}].params", TierStage.Params, ex.stage_params(g))
               for i, g in enumerate(ex.de_novo)]
    for field, model, params in checks:
        try:
            model.model_validate(params)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise InputError.invalid_field(ctx.protocol.path, f"{field}.{where}" if where
                                           else field, err["msg"]) from None


def run_stage(ctx: Context, stage_id: str, inputs: dict[str, Any] | Path,
              params: dict[str, ParamValue], folder: Path) -> tuple[Path, Provenance]:
    """``bp2 stage run STAGE --inputs folder/inputs.json --params folder/params.json
    --outdir folder/out``, in process; returns the output folder and the provenance."""
    from bp2.engine.standalone import run_stage_alone

    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(inputs, Path):
        inputs_path = inputs
    else:
        inputs_path = folder / "inputs.json"
        write_json_atomic(inputs_path, inputs)
    params_path = folder / "params.json"
    write_json_atomic(params_path, params)
    out = folder / "out"
    provenance = run_stage_alone(stage_id, inputs_path, out, params_path=params_path,
                                 threads=ctx.threads or 1, unit=f"{ctx.protocol.id}")
    ctx.stage_versions[stage_id] = provenance.version
    return out, provenance


def run_tiering_trio(ctx: Context, ex: TieringTrioExecution
                     ) -> tuple[Figures, list[ComparatorResult]]:
    from bp2.pipeline import load_pipeline
    from bp2.stages.tier.rules import packaged_rules

    check_params(ctx, ex)
    data = resolve_datasets(ctx.protocol, ctx.variables)
    ctx.add_inputs(data)
    pipeline = load_pipeline()
    ctx.pipeline_version = f"{pipeline.name} {pipeline.version}"
    rules = packaged_rules()
    ctx.add_file("tiering rules (packaged tiering.yaml)", rules)
    figures = Figures.empty()

    panels_out, _ = run_stage(ctx, "panels", {"panels": [str(data[ex.panels].path)],
                                              "rules": str(rules)},
                              ex.panels_params, ctx.outdir / "panels")
    panels_json = panels_out / "panels.json"

    trio: dict[str, Any] = {"vcf": str(data[ex.vcf].path),
                            "pedigree": str(data[ex.pedigree].path),
                            "panels": str(panels_json), "rules": str(rules)}
    if ex.vcf_index is not None:
        trio["vcf_index"] = str(data[ex.vcf_index].path)
    counts: dict[str, int] = {}
    for gate_set in ex.de_novo:
        folder = ctx.outdir / "de_novo" / gate_set.name
        out, provenance = run_stage(ctx, "tier", trio, ex.stage_params(gate_set), folder)
        rows = de_novo_candidates(out / "segregation.tsv")
        found = list(dict.fromkeys(rows))
        write_text_atomic(folder / "candidates.txt", "".join(f"{c}\n" for c in found))
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        base = f"de_novo.{gate_set.name}"
        counts[gate_set.name] = len(found)
        figures.set(f"{base}.candidates", len(found))
        figures.set(f"{base}.rows", len(rows))
        figures.set(f"{base}.summary_count",
                    int(summary["segregation"].get("complete", {}).get("deNovo", 0)))
        figures.set(f"runtime.tier_{gate_set.name}_s", provenance.duration_s)

    comparators: list[ComparatorResult] = []
    comparison: Comparison | None = None
    if ex.genmod is not None:
        spec = ex.genmod
        folder = ctx.outdir / "genmod"
        inputs = write_tier_case(data[spec.vcf].path, data[spec.pedigree].path, panels_json,
                                 rules, folder / "case", spec.family)
        ctx.add_file("genmod VCF converted for the tier stage", folder / "case" /
                     "genmod_family.vcf")
        out, provenance = run_stage(ctx, "tier", inputs, dict(ex.params), folder)
        expected = genmod_models(data[spec.expected].path.read_text(encoding="utf-8"),
                                 spec.family)
        bp2 = bp2_filters(out / "segregation.tsv")
        comparison = Comparison.of(expected, bp2)
        write_text_atomic(folder / "genmod_comparison.md", render(expected, bp2))
        write_json_atomic(folder / "disagreements.json", {
            "unexplained": [list(k) for k in sorted(comparison.unexplained)],
            "explanations_unmatched": [list(k) for k in sorted(comparison.unmatched)],
            "explained": [list(k) for k in sorted(comparison.disagreements
                                                  - comparison.unexplained)]})
        for name, value in comparison.figures().items():
            figures.set(name, value)
        figures.set("runtime.tier_genmod_s", provenance.duration_s)
        comparators.append(ComparatorResult(
            name="genmod",
            description=(f"genmod{' ' + spec.version if spec.version else ''} GeneticModels of "
                         f"family {spec.family} ({data[spec.expected].name}); model mapping: "
                         + "; ".join(f"{m}: {'|'.join(sorted(g))} ~ {'|'.join(sorted(b))}"
                                     for m, (g, b) in MODELS.items())),
            figures={f"genmod.{slug(m)}.genmod_yes":
                     len(cells[(True, True)]) + len(cells[(True, False)])
                     for m, cells in comparison.tables.items()},
            versions={"genmod": spec.version} if spec.version else {}))

    from bp2.validation.plots import tiering_plots

    thresholds = {c.measure: c.threshold for c in ctx.protocol.item.acceptance_criteria
                  if c.measure is not None}
    expected_counts = {name: thresholds.get(f"de_novo.{name}.candidates") for name in counts}
    ctx.plots.extend(tiering_plots(ctx.outdir, ctx.protocol.id, counts, expected_counts,
                                   comparison))
    return figures, comparators
