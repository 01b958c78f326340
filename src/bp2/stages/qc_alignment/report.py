"""The stage's text outputs: ``qc.json``, ``qc.tsv`` (one row per metric) and the per-gene
``panel_coverage.tsv`` — pure functions from the results to text.

Numbers are rounded for the record (fractions and percentages to 6 decimals, depths to 4), so
the files do not carry floating-point noise and are byte-identical run to run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bp2.fileio import pretty_json
from bp2.stages.qc_alignment.contamination import ContaminationEstimate
from bp2.stages.qc_alignment.coverage import DepthSummary
from bp2.stages.qc_alignment.panels import GeneCoverage
from bp2.stages.qc_alignment.params import QcAlignmentParams
from bp2.stages.qc_alignment.readstats import FlagCounts, InsertSizes
from bp2.stages.qc_alignment.sex import SexInference
from bp2.stages.qc_alignment.verdict import Verdict

Value = float | int | str | None


@dataclass(frozen=True)
class QcResult:
    sample: str
    stage: str
    version: str
    flags: FlagCounts
    inserts: InsertSizes
    q30_bases: int
    autosomal: DepthSummary
    x_nonpar: DepthSummary
    y_nonpar: DepthSummary
    contig_means: dict[str, float | None]
    sex: SexInference
    contamination: ContaminationEstimate | None
    sites_available: int
    genes: tuple[GeneCoverage, ...]
    panels: tuple[str, ...]
    verdict: Verdict
    params: QcAlignmentParams
    context: dict[str, Any]
    methods: dict[str, str]


def _r(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


def _pct(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(100.0 * numerator / denominator, 6)


@dataclass(frozen=True)
class Metric:
    group: str
    name: str
    value: Value
    unit: str
    check: str | None = None

    @property
    def key(self) -> str:
        return f"{self.group}.{self.name}"


def coverage_levels(params: QcAlignmentParams) -> tuple[int, ...]:
    return tuple(sorted({*params.report_depths, params.coverage_depth}))


def metrics(result: QcResult) -> tuple[Metric, ...]:
    """Every metric in report order (the rows of ``qc.tsv``, the groups of ``qc.json``)."""
    f, params = result.flags, result.params
    rows = [
        Metric("reads", "total_records", f.total, "records"),
        Metric("reads", "primary", f.primary, "reads"),
        Metric("reads", "primary_mapped", f.primary_mapped, "reads"),
        Metric("reads", "pct_mapped", _pct(f.primary_mapped, f.primary), "%"),
        Metric("reads", "paired", f.paired, "reads"),
        Metric("reads", "properly_paired", f.properly_paired, "reads"),
        Metric("reads", "pct_properly_paired", _pct(f.properly_paired, f.paired), "%"),
        Metric("reads", "primary_duplicates", f.primary_duplicates, "reads"),
        Metric("reads", "pct_duplicates", _pct(f.primary_duplicates, f.primary_mapped), "%"),
        Metric("reads", "secondary", f.secondary, "records"),
        Metric("reads", "supplementary", f.supplementary, "records"),
        Metric("reads", "qc_failed", f.qcfail, "records"),
        Metric("reads", "singletons", f.singletons, "reads"),
        Metric("reads", "mate_other_contig", f.mate_other_contig, "reads"),
        Metric("insert_size", "pairs", result.inserts.pairs, "pairs"),
        Metric("insert_size", "median", _r(result.inserts.median, 4), "bp"),
        Metric("insert_size", "q1", _r(result.inserts.q1, 4), "bp"),
        Metric("insert_size", "q3", _r(result.inserts.q3, 4), "bp"),
        Metric("insert_size", "iqr", _r(result.inserts.iqr, 4), "bp"),
        Metric("coverage", "autosomal_target_bases", result.autosomal.bases, "bases"),
        Metric("coverage", "mean_depth", _r(result.autosomal.mean, 4), "×"),
        Metric("coverage", "median_depth", _r(result.autosomal.median(), 4), "×"),
    ]
    for level in coverage_levels(params):
        fraction = result.autosomal.fraction_at_least(level)
        rows.append(Metric("coverage", f"pct_at_{level}x",
                           None if fraction is None else round(100 * fraction, 6), "%",
                           "coverage" if level == params.coverage_depth else None))
    rows.append(Metric("yield", "q30_bases", result.q30_bases, "bases", "q30_yield"))
    sex = result.sex
    rows += [
        Metric("sex", "x_nonpar_bases", result.x_nonpar.bases, "bases"),
        Metric("sex", "x_nonpar_mean_depth", _r(result.x_nonpar.mean, 4), "×"),
        Metric("sex", "y_nonpar_bases", result.y_nonpar.bases, "bases"),
        Metric("sex", "y_nonpar_mean_depth", _r(result.y_nonpar.mean, 4), "×"),
        Metric("sex", "x_copy_number", _r(sex.x_copy_number, 4), "copies"),
        Metric("sex", "y_copy_number", _r(sex.y_copy_number, 4), "copies"),
        Metric("sex", "karyotype", sex.karyotype, "", "sex"),
        Metric("sex", "inferred_sex", str(sex.inferred_sex), ""),
        Metric("sex", "declared_sex", str(sex.declared_sex), ""),
        Metric("sex", "status", str(sex.status), ""),
    ]
    est = result.contamination
    rows += [
        Metric("contamination", "fraction", None if est is None else _r(est.fraction),
               "fraction", "contamination"),
        Metric("contamination", "ci95_low", None if est is None else _r(est.ci_low),
               "fraction"),
        Metric("contamination", "ci95_high", None if est is None else _r(est.ci_high),
               "fraction"),
        Metric("contamination", "sites_available", result.sites_available, "sites"),
        Metric("contamination", "sites_used", 0 if est is None else est.sites_used, "sites"),
        Metric("contamination", "bases_used", 0 if est is None else est.bases_used, "bases"),
        Metric("contamination", "mean_site_depth",
               None if est is None else _r(est.mean_site_depth, 4), "×"),
    ]
    assessed = [g for g in result.genes if g.status == "assessed"]
    rows += [
        Metric("panels", "green_genes", len(result.genes), "genes"),
        Metric("panels", "genes_assessed", len(assessed), "genes"),
        Metric("panels", "genes_with_under_covered_exons", sum(1 for g in assessed if g.gaps),
               "genes"),
        Metric("panels", "genes_not_assessed", len(result.genes) - len(assessed), "genes"),
    ]
    return tuple(rows)


def _json_value(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def qc_json(result: QcResult) -> str:
    groups: dict[str, dict[str, Value]] = {}
    for metric in metrics(result):
        groups.setdefault(metric.group, {})[metric.name] = metric.value
    document = {
        "sample": result.sample,
        "stage": {"id": result.stage, "version": result.version},
        "status": result.verdict.status,
        "failure_reasons": list(result.verdict.failure_reasons),
        "flags": list(result.verdict.flags),
        "checks": [c.model_dump(mode="json") for c in result.verdict.checks],
        "metrics": groups,
        "contig_mean_depth": {k: _r(v, 4) for k, v in result.contig_means.items()},
        "panel_genes": [_gene_json(g) for g in result.genes],
        "panels": list(result.panels),
        "thresholds": result.params.model_dump(mode="json"),
        "context": result.context,
        "methods": result.methods,
    }
    return pretty_json(_json_value(document))


def _gene_json(gene: GeneCoverage) -> dict[str, Any]:
    return {
        "gene": gene.symbol, "panels": list(gene.panels), "status": gene.status,
        "gene_id": gene.gene_id, "transcript_id": gene.transcript_id, "contig": gene.contig,
        "coding_bases": gene.coding_bases, "mean_depth": _r(gene.mean_depth, 4),
        "pct_at_depth": {f"{level}x": None if v is None else round(100 * v, 6)
                         for level, v in gene.fractions},
        "under_covered_exons": [
            {"exon": g.number, "contig": g.contig, "start": g.start + 1, "end": g.end,
             "pct_at_min_depth": round(100 * g.fraction, 6), "min_depth": g.min_depth}
            for g in gene.gaps
        ],
    }


def _cell(value: Value) -> str:
    if value is None:
        return "NA"
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def qc_tsv(result: QcResult) -> str:
    checks = {c.id: c for c in result.verdict.checks}
    lines = ["metric\tvalue\tunit\tcheck\tthreshold\tstatus"]
    lines.append(f"qc.status\t{result.verdict.status}\t\t\t\t{result.verdict.status}")
    lines.append(f"qc.flags\t{','.join(result.verdict.flags) or '.'}\t\t\t\t")
    for metric in metrics(result):
        check = checks.get(metric.check) if metric.check else None
        threshold = ("" if check is None else
                     f"{check.comparison} {_threshold(metric, check.threshold)}")
        lines.append("\t".join([metric.key, _cell(metric.value), metric.unit,
                                "" if check is None else check.id, threshold,
                                "" if check is None else check.status]))
    return "\n".join(lines) + "\n"


def _threshold(metric: Metric, threshold: Value) -> str:
    if metric.unit == "%" and isinstance(threshold, float):
        return _cell(round(100 * threshold, 6))
    return _cell(threshold)


def panel_tsv(genes: Sequence[GeneCoverage], levels: Sequence[int], exon_min_depth: int) -> str:
    header = ["gene", "panels", "status", "gene_id", "transcript_id", "contig", "coding_bases",
              "mean_depth", *(f"pct_at_{level}x" for level in levels),
              f"under_covered_exons(<{exon_min_depth}x)"]
    lines = ["\t".join(header)]
    for gene in genes:
        gaps = ";".join(
            f"exon{g.number}:{g.contig}:{g.start + 1}-{g.end}:{_cell(round(100 * g.fraction, 2))}"
            f"%:min{g.min_depth}"
            for g in gene.gaps) or "."
        lines.append("\t".join([
            gene.symbol, "|".join(gene.panels), gene.status, gene.gene_id or "NA",
            gene.transcript_id or "NA", gene.contig or "NA", str(gene.coding_bases),
            _cell(_r(gene.mean_depth, 4)),
            *(_cell(None if v is None else round(100 * v, 6)) for _, v in gene.fractions),
            gaps,
        ]))
    return "\n".join(lines) + "\n"
