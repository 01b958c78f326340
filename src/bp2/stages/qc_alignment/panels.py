"""Coding coverage of the applied panels' green genes (pure over panels, gene model and depths).

For each green gene (PanelApp ``confidence_level`` "3") of the applied panels, the gene is found
in the gene model by symbol (``gene_name``), else by one of the Ensembl gene IDs the panel gives;
its canonical transcript (:func:`bp2.genemodel.canonical_transcript`) gives the coding exons
whose depth is measured.  Outcomes per gene:

* ``assessed``: coding bases, mean depth, the fraction at ≥ each ``panel_depths`` level and the
  coding exons with fewer than ``exon_min_fraction`` of their bases at ≥ ``exon_min_depth``;
* ``not_in_gene_model``: neither the symbol nor an Ensembl ID is in the gene model;
* ``no_coding_sequence``: the canonical transcript has no CDS (a non-coding gene);
* ``contig_not_in_reference``: the gene lies on a contig the reference does not have.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bp2.genemodel import CodingExon, Gene, GeneModel, canonical_transcript, coding_exons
from bp2.panelapp import Panel
from bp2.stages.qc_alignment.coverage import ExonDepth, ExonTarget

IMPLEMENTS = ("SRS-164",)


@dataclass(frozen=True)
class GenePlan:
    symbol: str
    panels: tuple[str, ...]  # labels of the panels naming it green
    status: str
    gene: Gene | None
    transcript_id: str | None
    exons: tuple[tuple[int, CodingExon], ...]  # (target key, exon)


@dataclass(frozen=True)
class ExonGap:
    number: int
    contig: str
    start: int
    end: int
    fraction: float
    min_depth: int


@dataclass(frozen=True)
class GeneCoverage:
    symbol: str
    panels: tuple[str, ...]
    status: str
    gene_id: str | None
    transcript_id: str | None
    contig: str | None
    coding_bases: int
    mean_depth: float | None
    fractions: tuple[tuple[int, float | None], ...]  # (level, fraction at ≥ level)
    gaps: tuple[ExonGap, ...]


def green_gene_panels(panels: Sequence[Panel]) -> dict[str, tuple[str, ...]]:
    """Symbol → labels of the panels on which it is green, symbols sorted."""
    found: dict[str, list[str]] = {}
    for panel in panels:
        for gene in panel.green_genes():
            found.setdefault(gene.symbol, []).append(panel.label)
    return {symbol: tuple(sorted(set(labels))) for symbol, labels in sorted(found.items())}


def ensembl_ids(panels: Sequence[Panel]) -> dict[str, tuple[str, ...]]:
    ids: dict[str, set[str]] = {}
    for panel in panels:
        for gene in panel.green_genes():
            ids.setdefault(gene.symbol, set()).update(gene.ensembl_ids)
    return {symbol: tuple(sorted(v)) for symbol, v in ids.items()}


def plan_genes(panels: Sequence[Panel], model: GeneModel, contigs: Mapping[str, int]
               ) -> tuple[tuple[GenePlan, ...], tuple[ExonTarget, ...]]:
    """Which coding exons to measure for the panels' green genes, and the depth targets."""
    plans: list[GenePlan] = []
    targets: list[ExonTarget] = []
    ids = ensembl_ids(panels)
    for symbol, labels in green_gene_panels(panels).items():
        matches = model.by_symbol(symbol)
        if not matches:
            matches = tuple(g for gid in ids.get(symbol, ()) for g in model.by_id(gid))
        if not matches:
            plans.append(GenePlan(symbol, labels, "not_in_gene_model", None, None, ()))
            continue
        gene = min(matches, key=lambda g: (g.contig not in contigs, g.contig, g.gene_id))
        if gene.contig not in contigs:
            plans.append(GenePlan(symbol, labels, "contig_not_in_reference", gene, None, ()))
            continue
        transcript = canonical_transcript(gene)
        exons = coding_exons(gene, transcript) if transcript is not None else ()
        if transcript is None or not exons:
            plans.append(GenePlan(symbol, labels, "no_coding_sequence", gene,
                                  None if transcript is None else transcript.transcript_id, ()))
            continue
        keyed = []
        for exon in exons:
            key = len(targets)
            targets.append(ExonTarget(key, gene.contig, exon.start, exon.end))
            keyed.append((key, exon))
        plans.append(GenePlan(symbol, labels, "assessed", gene, transcript.transcript_id,
                              tuple(keyed)))
    return tuple(plans), tuple(targets)


def gene_coverage(plans: Sequence[GenePlan], depths: Mapping[int, ExonDepth],
                  levels: Sequence[int], exon_min_depth: int, exon_min_fraction: float
                  ) -> tuple[GeneCoverage, ...]:
    """Per-gene results from the measured exon depths."""
    rows: list[GeneCoverage] = []
    for plan in plans:
        gene = plan.gene
        if plan.status != "assessed" or gene is None:
            rows.append(GeneCoverage(plan.symbol, plan.panels, plan.status,
                                     None if gene is None else gene.gene_id, plan.transcript_id,
                                     None if gene is None else gene.contig, 0, None,
                                     tuple((level, None) for level in levels), ()))
            continue
        bases = sum(depths[key].bases for key, _ in plan.exons)
        total = sum(depths[key].depth_sum for key, _ in plan.exons)
        fractions = tuple(
            (level, sum(depths[key].at_least[level] for key, _ in plan.exons) / bases)
            for level in levels)
        gaps = []
        for key, exon in sorted(plan.exons, key=lambda item: (item[1].number, item[1].start)):
            record = depths[key]
            fraction = record.at_least[exon_min_depth] / record.bases
            if fraction < exon_min_fraction:
                gaps.append(ExonGap(exon.number, gene.contig, exon.start, exon.end, fraction,
                                    record.min_depth or 0))
        rows.append(GeneCoverage(plan.symbol, plan.panels, "assessed", gene.gene_id,
                                 plan.transcript_id, gene.contig, bases, total / bases,
                                 fractions, tuple(gaps)))
    return tuple(rows)
