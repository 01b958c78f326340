"""Benchmark output files, each written atomically: summary.csv, extended.csv,
annotated.vcf.gz (+ .tbi) and benchmark.json."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pysam

from bp2 import __version__
from bp2.benchmark.api import BenchmarkSummary, SummaryRow, query_verdict, truth_verdict
from bp2.benchmark.compare import Regions
from bp2.benchmark.engine import Unit
from bp2.fileio import atomic_path, pretty_json, write_text_atomic

IMPLEMENTS = ("SRS-310", "SRS-311")

SUMMARY_COLUMNS = (
    "Type", "Filter", "TRUTH.TOTAL", "TRUTH.TP", "TRUTH.FN", "QUERY.TOTAL", "QUERY.TP",
    "QUERY.FP", "QUERY.UNK", "FP.gt", "FP.al", "METRIC.Recall", "METRIC.Precision",
    "METRIC.Frac_NA", "METRIC.F1_Score", "TRUTH.TOTAL.TiTv_ratio", "QUERY.TOTAL.TiTv_ratio",
    "TRUTH.TOTAL.het_hom_ratio", "QUERY.TOTAL.het_hom_ratio",
    "METRIC.Recall.CI95.Lower", "METRIC.Recall.CI95.Upper",
    "METRIC.Precision.CI95.Lower", "METRIC.Precision.CI95.Upper",
    "TRUTH.UNDECIDABLE", "QUERY.UNDECIDABLE",
)
EXTENDED_COLUMNS = ("Type", "Subtype", "Subset", "Filter", "Genotype", *SUMMARY_COLUMNS[2:])


def _num(value: float | None) -> str:
    return "" if value is None else f"{round(value, 6)}"


def _cells(row: SummaryRow) -> list[str]:
    return [
        row.type, row.filter, str(row.truth_total), str(row.truth_tp), str(row.truth_fn),
        str(row.query_total), str(row.query_tp), str(row.query_fp), str(row.query_unk),
        str(row.fp_gt), str(row.fp_al), _num(row.recall), _num(row.precision),
        _num(row.frac_na), _num(row.f1), _num(row.truth_titv), _num(row.query_titv),
        _num(row.truth_het_hom), _num(row.query_het_hom),
        _num(row.recall_ci[0]), _num(row.recall_ci[1]),
        _num(row.precision_ci[0]), _num(row.precision_ci[1]),
        str(row.truth_undecidable), str(row.query_undecidable),
    ]


def summary_csv(rows: Sequence[SummaryRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for row in rows:
        writer.writerow(_cells(row))
    return out.getvalue()


def extended_csv(rows: Sequence[SummaryRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXTENDED_COLUMNS)
    for row in rows:
        cells = _cells(row)
        writer.writerow([cells[0], "*", row.subset, cells[1], "*", *cells[2:]])
    return out.getvalue()


def _gt(u: Unit) -> str:
    return "/".join(str(a) for a in u.gt)


def _sample(u: Unit | None, verdict: str) -> str:
    if u is None:
        return "./.:.:.:NOCALL:nocall"
    return f"{_gt(u)}:{verdict}:{u.match_kind}:{u.kind}:{u.zygosity}"


def annotated_vcf_text(truth: Sequence[Unit], query: Sequence[Unit], contigs: Sequence[str],
                       confident: Regions | None) -> str:
    """The annotated two-sample VCF (TRUTH, QUERY) as text, sorted by contig and position."""
    order = {c: i for i, c in enumerate(contigs)}
    rows: list[tuple[int, int, str, str, str]] = []
    for t in truth:
        q = t.partner
        info = f"BS={t.cluster}" if t.cluster else "."
        sample_q = _sample(q, query_verdict(q, confident)) if q is not None else _sample(None, "")
        rows.append((order[t.chrom], t.pos, t.ref, ",".join(t.alts),
                     f"{info}\tGT:BD:BK:BVT:BLT\t{_sample(t, truth_verdict(t, confident))}"
                     f"\t{sample_q}"))
    for q in query:
        if q.partner is not None:
            continue
        info = f"BS={q.cluster}" if q.cluster else "."
        rows.append((order[q.chrom], q.pos, q.ref, ",".join(q.alts),
                     f"{info}\tGT:BD:BK:BVT:BLT\t{_sample(None, '')}"
                     f"\t{_sample(q, query_verdict(q, confident))}"))
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    lines = [
        "##fileformat=VCFv4.2",
        f"##source=bp2 benchmark {__version__}",
        '##INFO=<ID=BS,Number=1,Type=Integer,Description="Start of the cluster the record '
        'was compared in (haplotype comparison); absent for an exact match">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype (of the normalised unit)">',
        '##FORMAT=<ID=BD,Number=1,Type=String,Description="Decision: TP, FP, FN, UNK (outside '
        'the confident regions) or N (undecidable without reference)">',
        '##FORMAT=<ID=BK,Number=1,Type=String,Description="Match kind: gm (genotype match), '
        'am (allele match, genotype differs), lm (local mismatch), . (nothing nearby)">',
        '##FORMAT=<ID=BVT,Number=1,Type=String,Description="Variant type: SNP, INDEL, NOCALL">',
        '##FORMAT=<ID=BLT,Number=1,Type=String,Description="Genotype class: het, homalt, '
        'hetalt, nocall">',
        *(f"##contig=<ID={c}>" for c in contigs),
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTRUTH\tQUERY",
    ]
    lines.extend(f"{contigs[c]}\t{pos}\t.\t{ref}\t{alts}\t.\t.\t{rest}"
                 for c, pos, ref, alts, rest in rows)
    return "\n".join(lines) + "\n"


def write_annotated_vcf(path: Path, text: str) -> None:
    """bgzip and tabix-index ``text`` to ``path`` and ``path.tbi``, both atomically."""
    tbi = Path(f"{path}.tbi")
    with atomic_path(path) as tmp_gz, atomic_path(tbi) as tmp_tbi:
        plain = tmp_gz.with_name(tmp_gz.name + ".txt")
        try:
            plain.write_text(text, encoding="utf-8")
            pysam.tabix_compress(str(plain), str(tmp_gz), force=True)
        finally:
            plain.unlink(missing_ok=True)
        pysam.tabix_index(str(tmp_gz), preset="vcf", force=True, index=str(tmp_tbi))


def write_all(outdir: Path, summary: BenchmarkSummary, annotated_text: str) -> None:
    """Write every benchmark output into ``outdir``."""
    outdir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(outdir / "summary.csv", summary_csv(summary.rows))
    write_text_atomic(outdir / "extended.csv", extended_csv(summary.extended))
    write_annotated_vcf(outdir / "annotated.vcf.gz", annotated_text)
    write_text_atomic(outdir / "benchmark.json", pretty_json(summary.model_dump(mode="json")))
