"""Gene panels in Genomics England PanelApp's API format (``/api/v1/panels/{id}/``).

Parsing is pure over decoded JSON (:func:`parse_panel`) or text (:func:`parse_panels_text`);
:func:`read_panels` is the thin file edge.  A file may hold one panel record (a JSON object with a
``genes`` list), a JSON list of them, an API page (``{"results": [...]}``) of full records, or
JSON Lines (one panel record per line, as ``scout_panelapp_panels.jsonl``).

Field rules follow the PanelApp API (see ``../shared/domain/gel-rare-disease.md`` §3):
``confidence_level`` is a string, ``"3"`` = green, ``"2"`` amber, ``"1"``/``"0"`` red; the gene
symbol is ``gene_data.gene_symbol``, else ``entity_name`` (current API), else ``gene_name`` /
``name`` (older API); Ensembl gene IDs are collected from ``gene_data.ensembl_genes.<build>.
<release>.ensembl_id``.  STR and region entities are counted but not returned as genes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bp2.errors import InputError

IMPLEMENTS = ("SRS-172",)

GREEN = "3"


@dataclass(frozen=True)
class PanelGene:
    symbol: str
    confidence_level: str
    mode_of_inheritance: str
    penetrance: str | None
    hgnc_id: str | None
    ensembl_ids: tuple[str, ...]  # every Ensembl gene ID the record gives, sorted, unique
    biotype: str | None = None  # gene_data.biotype (e.g. protein_coding)
    transcripts: tuple[str, ...] = ()  # the entry's ``transcript`` list (newer API), if any

    @property
    def is_green(self) -> bool:
        return self.confidence_level == GREEN


@dataclass(frozen=True)
class Panel:
    id: str
    name: str
    version: str
    genes: tuple[PanelGene, ...]
    other_entities: int  # STRs and regions (not genes)
    status: str | None = None  # "public", "internal", ...
    types: tuple[str, ...] = ()  # panel type slugs, e.g. "gms-signed-off"
    signed_off: str | None = None  # the signed-off date (/panels/signedoff/ records only)

    @property
    def label(self) -> str:
        """``name (id, version)`` as reports show it."""
        return f"{self.name} ({self.id} v{self.version})"

    def green_genes(self) -> tuple[PanelGene, ...]:
        return tuple(g for g in self.genes if g.is_green)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"expected text, found {type(value).__name__}")
    return str(value)


def _ensembl_ids(gene_data: Mapping[str, Any]) -> tuple[str, ...]:
    found: set[str] = set()
    builds = gene_data.get("ensembl_genes") or {}
    if not isinstance(builds, Mapping):
        raise ValueError("gene_data.ensembl_genes must be an object")
    for releases in builds.values():
        if not isinstance(releases, Mapping):
            raise ValueError("gene_data.ensembl_genes.<build> must be an object")
        for entry in releases.values():
            if isinstance(entry, Mapping) and isinstance(entry.get("ensembl_id"), str):
                found.add(entry["ensembl_id"])
    return tuple(sorted(found))


def _gene(entry: Any, index: int) -> PanelGene | None:
    if not isinstance(entry, Mapping):
        raise ValueError(f"genes[{index}] is not an object")
    kind = entry.get("entity_type", "gene")
    if kind != "gene":
        return None
    gene_data = entry.get("gene_data") or {}
    if not isinstance(gene_data, Mapping):
        raise ValueError(f"genes[{index}].gene_data is not an object")
    symbol = (_text(gene_data.get("gene_symbol")) or _text(entry.get("entity_name"))
              or _text(entry.get("gene_name")) or _text(entry.get("name")))
    if not symbol:
        raise ValueError(f"genes[{index}] has no gene symbol (gene_data.gene_symbol or "
                         "entity_name)")
    confidence = _text(entry.get("confidence_level"))
    if confidence is None:
        raise ValueError(f"genes[{index}] ({symbol}) has no confidence_level")
    return PanelGene(
        symbol=symbol,
        confidence_level=confidence,
        mode_of_inheritance=_text(entry.get("mode_of_inheritance")) or "",
        penetrance=_text(entry.get("penetrance")),
        hgnc_id=_text(gene_data.get("hgnc_id")),
        ensembl_ids=_ensembl_ids(gene_data),
        biotype=_text(gene_data.get("biotype")),
        transcripts=_transcripts(entry.get("transcript")),
    )


def _transcripts(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise ValueError("'transcript' must be a list of transcript IDs")
    return tuple(value)


def _type_slugs(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(sorted(str(t["slug"]) for t in value if isinstance(t, Mapping) and "slug" in t))


def parse_panel(record: Any, source: Path | str, *, line: int | None = None) -> Panel:
    """One PanelApp panel record (a decoded JSON object) as a :class:`Panel`."""

    def refuse(message: str, field: str | None = None) -> InputError:
        return InputError(f"not a PanelApp panel record: {message}", path=source, line=line,
                          field=field,
                          hint="give the JSON of /api/v1/panels/{id}/ (a panel with its "
                          "'genes' list), as downloaded from PanelApp")

    if not isinstance(record, Mapping):
        raise refuse("expected a JSON object")
    genes = record.get("genes")
    if not isinstance(genes, list):
        raise refuse("it has no 'genes' list", "genes")
    try:
        parsed = [_gene(entry, index) for index, entry in enumerate(genes)]
        panel_id = _text(record.get("id"))
        name = _text(record.get("name"))
        version = _text(record.get("version"))
    except ValueError as exc:
        raise refuse(str(exc), "genes") from None
    if panel_id is None or name is None or version is None:
        raise refuse("it lacks 'id', 'name' or 'version'")
    others = sum(len(record.get(k) or ()) for k in ("strs", "regions"))
    return Panel(panel_id, name, version, tuple(g for g in parsed if g is not None),
                 others + sum(1 for g in parsed if g is None),
                 status=_text(record.get("status")), types=_type_slugs(record.get("types")),
                 signed_off=_text(record.get("signed_off")))


def parse_panels_text(text: str, source: Path | str) -> tuple[Panel, ...]:
    """Panels from a file's text: one record, a list, an API page, or JSON Lines."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        lines = [(n, raw) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
        if len(lines) < 2:
            raise InputError(f"panel file is not valid JSON: {exc.msg}", path=source,
                             line=exc.lineno,
                             hint="fix the JSON syntax at the line shown") from None
        panels = []
        for number, raw in lines:
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as line_exc:
                raise InputError(f"panel file is neither JSON nor JSON Lines: {line_exc.msg}",
                                 path=source, line=number,
                                 hint="give one JSON document, or one panel record per line"
                                 ) from None
            panels.append(parse_panel(record, source, line=number))
        return tuple(panels)
    if isinstance(document, Mapping) and "results" in document and "genes" not in document:
        document = document["results"]
    records = document if isinstance(document, list) else [document]
    if not records:
        raise InputError("panel file holds no panel", path=source,
                         hint="give at least one PanelApp panel record")
    return tuple(parse_panel(record, source) for record in records)


def read_panels(path: Path) -> tuple[Panel, ...]:
    """Read the panels of one file (see the module docstring for the accepted layouts)."""
    if not path.is_file():
        raise InputError.missing_file(path, "panel file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"panel file is not UTF-8 text (byte {exc.start})", path=path,
                         hint="save the panel JSON as UTF-8") from None
    return parse_panels_text(text, path)
