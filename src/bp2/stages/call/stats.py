"""Summary counts of a called VCF: records, PASS, SNV/indel/other and Ti/Tv of PASS SNVs.

A pure function over ``(FILTER, REF, ALT)`` rows (after multiallelic splitting each row is one
ALT allele); the stage feeds it ``bcftools query -f '%FILTER\\t%REF\\t%ALT\\n'`` lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_TRANSITIONS = frozenset({("A", "G"), ("G", "A"), ("C", "T"), ("T", "C")})


def variant_class(ref: str, alt: str) -> str:
    """``snv``, ``indel`` (lengths differ) or ``other`` (MNP, symbolic, spanning deletion)."""
    if alt in ("*", ".") or alt.startswith("<") or not alt:
        return "other"
    if len(ref) == 1 and len(alt) == 1:
        return "snv"
    if len(ref) != len(alt):
        return "indel"
    return "other"


def call_stats(rows: Iterable[tuple[str, str, str]]) -> dict[str, Any]:
    """Counts over all records and over PASS records; Ti/Tv over PASS SNVs (None when Tv = 0)."""
    totals = {"records": 0, "snv": 0, "indel": 0, "other": 0}
    passing = {"records": 0, "snv": 0, "indel": 0, "other": 0}
    filters: dict[str, int] = {}
    transitions = transversions = 0
    for filter_value, ref, alt in rows:
        ref, alt = ref.upper(), alt.upper()
        kind = variant_class(ref, alt)
        totals["records"] += 1
        totals[kind] += 1
        names = filter_value.split(";") if filter_value not in ("", ".") else ["PASS"]
        for name in names:
            filters[name] = filters.get(name, 0) + 1
        if names == ["PASS"]:
            passing["records"] += 1
            passing[kind] += 1
            if kind == "snv":
                if (ref, alt) in _TRANSITIONS:
                    transitions += 1
                else:
                    transversions += 1
    return {
        "all": totals,
        "pass": passing,
        "filters": dict(sorted(filters.items())),
        "pass_snv_transitions": transitions,
        "pass_snv_transversions": transversions,
        "pass_snv_titv": round(transitions / transversions, 4) if transversions else None,
    }


def parse_query_line(line: str) -> tuple[str, str, str]:
    filter_value, ref, alt = line.rstrip("\n").split("\t")
    return filter_value, ref, alt
