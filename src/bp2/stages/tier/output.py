"""Rendering of the tier stage's outputs: tiers.tsv, tiers.json, segregation.tsv.  Pure.

One tier record per variant per tier.  In ``tiers.tsv`` a record's evidence items (one per
panel gene × segregation filter × route that earned the tier) are listed in the same order in
every multi-valued column, joined by ``;``; ``.`` marks an empty value.  Genotypes are listed by
sample ID so the output does not depend on the VCF's sample order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bp2.stages.tier.model import Call, Variant
from bp2.stages.tier.tiering import Evidence, FrequencyTest, SegregationRow, TierRecord

IMPLEMENTS = ("SRS-252", "SRS-253")

TIERS_COLUMNS = (
    "chrom", "pos", "ref", "alt", "tier", "penetrance", "gene", "transcript", "consequence",
    "impact", "hgvsc", "hgvsp", "segregation", "compound_partner", "tiering_moi",
    "panelapp_moi", "panel", "route", "genotypes", "frequencies_tested", "clinvar",
)
SEGREGATION_COLUMNS = ("chrom", "pos", "ref", "alt", "penetrance", "segregation",
                       "compound_partner", "gene", "genes", "genotypes")


def _cell(value: object) -> str:
    text = "." if value is None or value == "" else str(value)
    return text.replace("\t", " ").replace("\n", " ")


def genotypes_text(variant: Variant) -> str:
    return ";".join(f"{s}={variant.calls[s].gt}" for s in sorted(variant.calls))


def _frequency_text(tests: Sequence[FrequencyTest]) -> str:
    shown = [f"{t.key}={t.value:g}{'<=' if t.passed else '>'}{t.threshold:g}"
             for t in tests if t.value is not None]
    missing = sum(1 for t in tests if t.value is None)
    if missing:
        shown.append(f"{missing} missing(=0)")
    return ",".join(shown)


def _panel_text(item: Evidence) -> str:
    if item.panel is None:
        return "."
    return f"{item.panel.name} v{item.panel.version} ({item.panel.id})"


def tiers_tsv(records: Iterable[TierRecord]) -> str:
    lines = ["\t".join(TIERS_COLUMNS)]
    for record in records:
        v, items = record.variant, record.evidence

        def column(getter: Any, _items: Sequence[Evidence] = items) -> str:
            return ";".join(_cell(getter(e)) for e in _items)

        frequencies = ";".join(f"{cls}: {_frequency_text(tests)}"
                               for cls, tests in sorted(record.frequencies.items()))
        clinvar = "/".join(v.clinvar_significance)
        if v.clinvar_review_status:
            clinvar += f" ({v.clinvar_review_status})"
        lines.append("\t".join(_cell(x) for x in (
            v.chrom, v.pos, v.ref, v.alt, record.tier, record.penetrance,
            column(lambda e: e.gene_symbol),
            column(lambda e: e.consequence.transcript),
            column(lambda e: "&".join(e.consequence.terms)),
            column(lambda e: e.consequence.impact),
            column(lambda e: e.consequence.hgvsc),
            column(lambda e: e.consequence.hgvsp),
            column(lambda e: e.segregation),
            column(lambda e: ",".join(e.partners)),
            column(lambda e: e.moi),
            column(lambda e: e.panelapp_moi),
            column(_panel_text),
            column(lambda e: e.route),
            genotypes_text(v),
            frequencies,
            clinvar,
        )))
    return "\n".join(lines) + "\n"


def _call_json(call: Call) -> dict[str, Any]:
    return {"gt": call.gt, "gq": call.gq, "dp": call.dp,
            "ad": None if call.ref_reads is None else [call.ref_reads, call.alt_reads]}


def _evidence_json(item: Evidence) -> dict[str, Any]:
    tc = item.consequence
    return {
        "route": str(item.route),
        "segregation": str(item.segregation),
        "frequency_class": str(item.frequency_class),
        "compound_partners": list(item.partners),
        "panel": None if item.panel is None else {
            "id": item.panel.id, "name": item.panel.name, "version": item.panel.version},
        "gene": item.gene_symbol,
        "gene_id": tc.gene_id,
        "hgnc_id": tc.hgnc_id,
        "tiering_moi": None if item.moi is None else str(item.moi),
        "panelapp_moi": item.panelapp_moi,
        "transcript": tc.transcript,
        "biotype": tc.biotype,
        "consequence": list(tc.terms),
        "impact": str(tc.impact),
        "hgvsc": tc.hgvsc,
        "hgvsp": tc.hgvsp,
        "annotation": tc.source,
    }


def tiers_json(records: Iterable[TierRecord]) -> dict[str, Any]:
    out = []
    for record in records:
        v = record.variant
        out.append({
            "variant": v.key, "chrom": v.chrom, "pos": v.pos, "ref": v.ref, "alt": v.alt,
            "tier": str(record.tier),
            "penetrance": str(record.penetrance),
            "evidence": [_evidence_json(e) for e in record.evidence],
            "genotypes": {s: _call_json(v.calls[s]) for s in sorted(v.calls)},
            "frequencies_tested": {
                str(cls): [{"key": t.key, "value": t.value, "threshold": t.threshold,
                            "passed": t.passed} for t in tests]
                for cls, tests in sorted(record.frequencies.items())},
            "clinvar": {"significance": list(v.clinvar_significance),
                        "review_status": v.clinvar_review_status},
        })
    return {"schema": "bp2-tiers/1", "records": out}


def segregation_tsv(rows: Iterable[SegregationRow]) -> str:
    lines = ["\t".join(SEGREGATION_COLUMNS)]
    ordered = sorted(rows, key=lambda r: (r.variant.sort_key(), r.penetrance, r.segregation,
                                          r.partner or "", r.gene or ""))
    for row in ordered:
        v = row.variant
        symbols = sorted({tc.symbol for tc in v.consequences if tc.symbol})
        lines.append("\t".join(_cell(x) for x in (
            v.chrom, v.pos, v.ref, v.alt, row.penetrance, row.segregation, row.partner,
            row.gene, ",".join(symbols), genotypes_text(v))))
    return "\n".join(lines) + "\n"
