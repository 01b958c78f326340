"""Pure part of the ``panels`` stage: PanelApp panels + rules (+ gene model) → ``panels.json``.

The normalised document lists, per panel, its identity (id, name, version, status, type slugs,
signed-off date when the record came from ``/panels/signedoff/``) and, per **green** gene
(``confidence_level`` "3"), the symbol, HGNC ID, Ensembl gene IDs, biotype, the PanelApp
``mode_of_inheritance`` string, the GEL tiering MOI it maps to and that MOI's segregation
filters (both from the rules file), and the gene-model gene it was matched to.

Problems are collected over every panel and gene and reported at once: an unknown MOI string on
a green gene, a green gene missing from the gene model, an invalid confidence level, a panel ID
given twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bp2.errors import InputError
from bp2.genemodel import Gene, GeneModel, unversioned
from bp2.panelapp import Panel, PanelGene
from bp2.stages.tier.rules import RulesFile

IMPLEMENTS = ("SRS-221", "SRS-222", "SRS-223", "SRS-225", "SRS-277")

SCHEMA = "bp2-panels/1"
CONFIDENCE_LEVELS = ("0", "1", "2", "3")
SIGNED_OFF_TYPE = "gms-signed-off"


@dataclass(frozen=True)
class SourcedPanel:
    panel: Panel
    source: Path  # the file it came from (named in errors)


def _panel_key(panel: Panel) -> tuple[int, str]:
    return (int(panel.id), panel.id) if panel.id.isdigit() else (1 << 62, panel.id)


def _match(gene: PanelGene, model: GeneModel) -> tuple[Gene, str] | None:
    for ensembl_id in gene.ensembl_ids:
        found = model.by_id(ensembl_id)
        if found:
            return min(found, key=lambda g: g.gene_id), "ensembl_id"
    if gene.hgnc_id:
        found = model.by_hgnc(gene.hgnc_id)
        if found:
            return min(found, key=lambda g: g.gene_id), "hgnc_id"
    return None


def signed_off(panel: Panel) -> bool:
    """Whether the record says the panel is GMS signed-off (signed-off date or type slug)."""
    return panel.signed_off is not None or SIGNED_OFF_TYPE in panel.types


def normalise(
    panels: Sequence[SourcedPanel],
    rules: RulesFile,
    gene_model: GeneModel | None,
    *,
    gene_model_name: str | None = None,
    require_signed_off: bool = False,
) -> dict[str, Any]:
    """Build the ``panels.json`` document, or raise one InputError listing every problem."""
    problems: list[str] = []
    first_file: Path | None = None
    moi_map = rules.rules.panelapp_map
    filters_of = rules.rules.filters_of
    green = rules.rules.green_confidence_level.value
    seen: dict[str, Path] = {}
    documents = []
    for item in sorted(panels, key=lambda p: (_panel_key(p.panel), str(p.source))):
        panel, source = item.panel, item.source
        where = f"panel {panel.id} '{panel.name}' v{panel.version} ({source.name})"
        if panel.id in seen:
            problems.append(f"panel {panel.id} is given twice ({seen[panel.id].name} and "
                            f"{source.name})")
            first_file = first_file or source
            continue
        seen[panel.id] = source
        if require_signed_off and not signed_off(panel):
            problems.append(f"{where} is not a GMS signed-off panel")
            first_file = first_file or source
        counts = dict.fromkeys(CONFIDENCE_LEVELS, 0)
        genes = []
        for gene in panel.genes:
            if gene.confidence_level not in CONFIDENCE_LEVELS:
                problems.append(f"{where}: gene {gene.symbol} has confidence_level "
                                f"'{gene.confidence_level}' (expected one of 0, 1, 2, 3)")
                first_file = first_file or source
                continue
            counts[gene.confidence_level] += 1
            if gene.confidence_level != green:
                continue
            moi = moi_map.get(gene.mode_of_inheritance)
            if moi is None:
                problems.append(f"{where}: green gene {gene.symbol} has an unknown "
                                f"mode_of_inheritance '{gene.mode_of_inheritance}'")
                first_file = first_file or source
                continue
            matched: dict[str, Any] | None = None
            if gene_model is not None:
                found = _match(gene, gene_model)
                if found is None:
                    ids = ", ".join([*gene.ensembl_ids, gene.hgnc_id or "no HGNC ID"])
                    problems.append(f"{where}: green gene {gene.symbol} ({ids}) is not in the "
                                    f"gene model {gene_model_name or ''}".rstrip())
                    first_file = first_file or source
                    continue
                model_gene, how = found
                matched = {
                    "gene_id": unversioned(model_gene.gene_id),
                    "symbol": model_gene.symbol,
                    "biotype": model_gene.biotype or None,
                    "contig": model_gene.contig,
                    "start": model_gene.start + 1,
                    "end": model_gene.end,
                    "matched_by": how,
                }
            genes.append({
                "symbol": gene.symbol,
                "hgnc_id": gene.hgnc_id,
                "ensembl_ids": [unversioned(i) for i in gene.ensembl_ids],
                "biotype": gene.biotype,
                "panelapp_moi": gene.mode_of_inheritance,
                "tiering_moi": str(moi),
                "segregation_filters": [str(f) for f in filters_of[moi]],
                "penetrance": gene.penetrance,
                "transcripts": list(gene.transcripts),
                "gene_model": matched,
            })
        documents.append({
            "id": panel.id,
            "name": panel.name,
            "version": panel.version,
            "status": panel.status,
            "types": list(panel.types),
            "signed_off": panel.signed_off,
            "gms_signed_off": signed_off(panel),
            "source_file": source.name,
            "confidence_counts": {"green": counts["3"], "amber": counts["2"],
                                  "red": counts["1"], "no_list": counts["0"]},
            "other_entities": panel.other_entities,
            "green_genes": sorted(genes, key=lambda g: (g["symbol"], g["hgnc_id"] or "")),
        })
    if problems:
        raise InputError(
            f"{len(problems)} problem(s) in the panels: " + "; ".join(problems),
            path=first_file,
            hint="use the exact PanelApp mode_of_inheritance strings (listed in tiering.yaml "
            "'panelapp_moi'), a gene model that holds every green gene (matched by Ensembl gene "
            "ID or HGNC ID), and each panel once",
        )
    return {
        "schema": SCHEMA,
        "rules_version": rules.version,
        "gene_model": gene_model_name,
        "gene_matching": "gene model" if gene_model is not None else
        "deferred: the tier stage matches genes to the annotation by Ensembl ID, HGNC ID or "
        "symbol",
        "panels": documents,
    }
