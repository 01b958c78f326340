"""``panels``: PanelApp panel JSON → the case's normalised gene panels (``panels.json``).

Reads one or more PanelApp API v1 panel files (a panel record, a list, an API page or JSON
Lines — see :mod:`bp2.panelapp`), keeps the green genes (``confidence_level`` "3"), maps each
gene's exact PanelApp ``mode_of_inheritance`` string to GEL's tiering MOI and its segregation
filters with the rules file (``tiering.yaml``), and, when a gene model (GTF) is given, matches
every green gene to it by Ensembl gene ID, else HGNC ID.  An unknown MOI string on a green gene,
or a green gene missing from the gene model, stops the stage with an error naming them all.

Without a gene model the matching is deferred: the tier stage matches panel genes to the
annotation's gene IDs and symbols (this is how ``bp2 interpret`` works on VCFs annotated
elsewhere).  A case without panels gets a panels.json with no panel (the tier stage can then
give Tier 3 only, and the report says so).  Output: ``panels.json`` (deterministic: panels by ID,
genes by symbol).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from bp2.errors import InputError
from bp2.fileio import write_json_atomic
from bp2.genemodel import read_gtf
from bp2.panelapp import read_panels
from bp2.stages.base import (
    CASE_UNIT,
    BindContext,
    Scope,
    Stage,
    StageContext,
    StageInputs,
    StageOutputs,
    StageParams,
)
from bp2.stages.panels.normalise import SourcedPanel, normalise
from bp2.stages.tier.rules import load_rules, packaged_rules


class PanelsInputs(StageInputs):
    """The PanelApp panel files, the tiering rules (MOI mapping) and an optional gene model."""

    panels: tuple[Path, ...] = ()  # none: an empty panels.json (only Tier 3 is possible)
    rules: Path  # tiering.yaml
    gene_model: Path | None = None  # GTF; without it, gene matching is left to the tier stage


class PanelsOutputs(StageOutputs):
    panels_json: Path


class PanelsParams(StageParams):
    require_signed_off: bool = False  # refuse a panel that is not GMS signed-off


class PanelsStage(Stage[PanelsInputs, PanelsOutputs, PanelsParams]):
    ID: ClassVar[str] = "panels"
    VERSION: ClassVar[str] = "1.1.0"
    IMPLEMENTS: ClassVar[tuple[str, ...]] = (
        "SRS-022", "SRS-220", "SRS-221", "SRS-222", "SRS-223", "SRS-224", "SRS-225", "SRS-257",
        "SRS-258",
    )
    TOOLS: ClassVar[tuple[str, ...]] = ()
    SCOPE: ClassVar[Scope] = Scope.CASE
    DESCRIPTION: ClassVar[str] = (
        "Load PanelApp panels, keep green genes, map PanelApp MOI strings to GEL tiering MOIs "
        "and match genes to the gene model"
    )

    Inputs = PanelsInputs
    Outputs = PanelsOutputs
    Params = PanelsParams

    def run(self, inputs: PanelsInputs, params: PanelsParams, ctx: StageContext) -> PanelsOutputs:
        rules = load_rules(inputs.rules)
        sourced = [SourcedPanel(panel, path) for path in inputs.panels
                   for panel in read_panels(path)]
        if inputs.panels and not sourced:
            raise InputError("no panel was found in the panel file(s)", path=inputs.panels[0],
                             field="panels", hint="name PanelApp panel JSON files")
        model = read_gtf(inputs.gene_model) if inputs.gene_model is not None else None
        document = normalise(
            sourced, rules, model,
            gene_model_name=inputs.gene_model.name if inputs.gene_model else None,
            require_signed_off=params.require_signed_off,
        )
        target = ctx.path("panels.json")
        write_json_atomic(target, document)
        return PanelsOutputs(panels_json=target)

    def bind(self, ctx: BindContext, unit: str) -> PanelsInputs:
        if unit != CASE_UNIT:
            raise ValueError(f"panels is a case-level stage, not run for unit '{unit}'")
        resources = ctx.case.resource_set
        gene_model = None if resources is None else resources.gene_model
        return PanelsInputs(
            panels=ctx.case.panels,
            rules=packaged_rules(),
            gene_model=gene_model.path if gene_model is not None else None,
        )
