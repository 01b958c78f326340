"""Gene models from GTF (Ensembl and GENCODE): genes, transcripts, exons and coding regions.

Parsing is pure over lines of text (:func:`parse_gtf`); :func:`read_gtf` is the thin file edge
(plain or gzip/BGZF) that adds the file name to every error.  GFF3 (Ensembl's and GENCODE's) is
read into the same model by :func:`parse_gff3`; :func:`read_gene_model` takes either format,
recognised from the ``##gff-version 3`` line or the attribute syntax (``key=value`` vs
``key "value";``).  Coordinates are converted once, on
reading, from GTF's 1-based inclusive to **0-based half-open** (as in BED and pysam); every
interval in this module is ``(start, end)`` in that convention.

What is kept of a GTF: ``gene``, ``transcript``, ``exon``, ``CDS`` and ``stop_codon`` rows.  A
transcript's *coding region* is the union of its ``CDS`` and ``stop_codon`` rows: Ensembl and
GENCODE leave the stop codon out of ``CDS`` and give it its own row, so the union is the whole
coding sequence whichever convention a file follows.  Biotypes are read from ``gene_biotype`` /
``transcript_biotype`` (Ensembl) or ``gene_type`` / ``transcript_type`` (GENCODE); a gene without
``gene_name`` is named by its ``gene_id``.

The canonical transcript of a gene (:func:`canonical_transcript`) is the one tagged
``Ensembl_canonical``; without that tag (older GENCODE files), the one tagged ``MANE_Select``;
without either, the one with the longest coding region (ties: the smallest transcript ID, so the
choice is deterministic), and a gene with no coding transcript falls back to its longest
transcript.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from bp2.errors import InputError

IMPLEMENTS = ("SRS-171", "SRS-211")

Interval = tuple[int, int]  # 0-based, half-open

CANONICAL_TAG = "Ensembl_canonical"
MANE_SELECT_TAG = "MANE_Select"
_KEPT = frozenset({"gene", "transcript", "exon", "CDS", "stop_codon"})
_ATTRIBUTE = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_.]*)\s+(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))\s*;?')
_QUICK_ID = re.compile(r'gene_id\s+"?([^";\s]+)')
_QUICK_NAME = re.compile(r'gene_name\s+"?([^";\s]+)')
_QUICK_HGNC = re.compile(r'hgnc_id\s+"?([^";\s]+)')


@dataclass(frozen=True)
class Transcript:
    transcript_id: str
    gene_id: str
    biotype: str
    tags: frozenset[str]
    exons: tuple[Interval, ...]  # genomic order, merged
    coding: tuple[Interval, ...]  # CDS + stop codon, genomic order, merged
    protein_id: str | None = None  # CDS ``protein_id`` (``.protein_version`` appended if given)
    version: str | None = None  # ``transcript_version`` (Ensembl GTF keeps it out of the ID)
    start_phase: int = 0  # GTF phase of the 5'-most CDS row (non-zero only for cds_start_NF)

    @property
    def is_ensembl_canonical(self) -> bool:
        return CANONICAL_TAG in self.tags

    @property
    def coding_length(self) -> int:
        return sum(end - start for start, end in self.coding)

    @property
    def length(self) -> int:
        return sum(end - start for start, end in self.exons)


@dataclass(frozen=True)
class Gene:
    gene_id: str
    symbol: str
    contig: str
    strand: str  # "+", "-" or "."
    start: int
    end: int
    biotype: str
    transcripts: tuple[Transcript, ...]  # sorted by transcript ID
    hgnc_id: str | None = None  # GENCODE's ``hgnc_id`` attribute ("HGNC:1234"), when present


@dataclass(frozen=True)
class CodingExon:
    """The coding part of one exon of a transcript; ``number`` counts exons 5' to 3' from 1."""

    number: int
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class GeneModel:
    genes: tuple[Gene, ...]  # sorted by contig name, start, gene ID

    def by_symbol(self, symbol: str) -> tuple[Gene, ...]:
        return tuple(g for g in self.genes if g.symbol == symbol)

    def by_id(self, gene_id: str) -> tuple[Gene, ...]:
        wanted = unversioned(gene_id)
        return tuple(g for g in self.genes if unversioned(g.gene_id) == wanted)

    def by_hgnc(self, hgnc_id: str) -> tuple[Gene, ...]:
        return tuple(g for g in self.genes if g.hgnc_id == hgnc_id)


def unversioned(identifier: str) -> str:
    """An Ensembl ID without its ``.version`` suffix (``ENSG…533.2`` → ``ENSG…533``)."""
    head, dot, tail = identifier.partition(".")
    return head if dot and tail.isdigit() and head.startswith("ENS") else identifier


def merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sorted union of half-open intervals (touching intervals are joined)."""
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def parse_attributes(text: str) -> dict[str, list[str]]:
    """GTF column 9 as key → values (a key such as ``tag`` may repeat)."""
    values: dict[str, list[str]] = {}
    position = 0
    text = text.strip()
    while position < len(text):
        match = _ATTRIBUTE.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"cannot read the attributes from character {position + 1}")
        key = match.group(1)
        value = match.group(2) if match.group(2) is not None else match.group(3)
        values.setdefault(key, []).append(value)
        position = match.end()
    return values


@dataclass
class _TranscriptRows:
    gene_id: str
    biotype: str = ""
    tags: set[str] = field(default_factory=set)
    exons: list[Interval] = field(default_factory=list)
    coding: list[Interval] = field(default_factory=list)
    cds_phases: list[tuple[Interval, int]] = field(default_factory=list)
    protein_id: str | None = None
    version: str | None = None


@dataclass
class _GeneRows:
    gene_id: str
    symbol: str
    contig: str
    strand: str
    start: int
    end: int
    biotype: str
    transcripts: dict[str, _TranscriptRows] = field(default_factory=dict)
    hgnc_id: str | None = None


def parse_gtf(
    lines: Iterable[str], source: Path | str, *, genes: Collection[str] | None = None
) -> GeneModel:
    """Parse GTF lines into a :class:`GeneModel`.

    ``genes`` (optional) keeps only the genes whose ``gene_name`` or (unversioned) ``gene_id`` is
    in the collection; other lines are skipped before their attributes are parsed, which makes
    reading a whole-genome GTF for a few panel genes fast.
    """
    wanted = None if genes is None else {unversioned(g) for g in genes}
    found: dict[str, _GeneRows] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\n\r")
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 9:
            raise InputError(
                f"GTF line has {len(cols)} tab-separated columns, 9 are needed",
                path=source, line=number,
                hint="give a GTF (not GFF3) file with tab-separated columns",
            )
        feature = cols[2]
        if feature not in _KEPT:
            continue
        if wanted is not None and not _quick_match(cols[8], wanted):
            continue
        _add_row(found, cols, source, number)
    return GeneModel(tuple(sorted((_finish(g) for g in found.values()),
                                  key=lambda g: (g.contig, g.start, g.gene_id))))


def _quick_match(attributes: str, wanted: set[str]) -> bool:
    gene_id = _QUICK_ID.search(attributes)
    if gene_id is not None and unversioned(gene_id.group(1)) in wanted:
        return True
    name = _QUICK_NAME.search(attributes)
    if name is not None and name.group(1) in wanted:
        return True
    hgnc = _QUICK_HGNC.search(attributes)
    return hgnc is not None and hgnc.group(1) in wanted


def _add_row(found: dict[str, _GeneRows], cols: list[str], source: Path | str,
             number: int) -> None:
    contig, feature, strand = cols[0], cols[2], cols[6]
    try:
        first, last = int(cols[3]), int(cols[4])
    except ValueError:
        raise InputError("GTF start or end is not an integer", path=source, line=number,
                         hint="columns 4 and 5 are 1-based inclusive positions") from None
    if not 1 <= first <= last:
        raise InputError(f"GTF interval {first}-{last} is invalid", path=source, line=number,
                         hint="use 1 <= start <= end (1-based, inclusive)")
    if strand not in ("+", "-", "."):
        raise InputError(f"GTF strand '{strand}' is invalid", path=source, line=number,
                         hint="column 7 is +, - or .")
    try:
        attributes = parse_attributes(cols[8])
    except ValueError as exc:
        raise InputError(f"GTF attributes are malformed: {exc}", path=source, line=number,
                         hint='write attributes as key "value"; pairs') from None
    gene_id = _first(attributes, "gene_id")
    if gene_id is None:
        raise InputError("GTF row has no gene_id", path=source, line=number,
                         hint='every row needs a gene_id "..." attribute')
    interval = (first - 1, last)
    gene = found.get(gene_id)
    if gene is None:
        gene = _GeneRows(
            gene_id=gene_id,
            symbol=_first(attributes, "gene_name") or gene_id,
            contig=contig, strand=strand, start=interval[0], end=interval[1],
            biotype=_first(attributes, "gene_biotype", "gene_type") or "",
            hgnc_id=_first(attributes, "hgnc_id"),
        )
        found[gene_id] = gene
    elif gene.contig != contig:
        raise InputError(
            f"gene {gene_id} has rows on {gene.contig} and {contig}",
            path=source, line=number,
            hint="a gene_id must lie on one contig; PAR genes on X and Y need distinct IDs "
            "(e.g. GENCODE's _PAR_Y suffix)",
        )
    gene.start, gene.end = min(gene.start, interval[0]), max(gene.end, interval[1])
    if feature == "gene":
        return
    transcript_id = _first(attributes, "transcript_id")
    if transcript_id is None:
        raise InputError(f"GTF {feature} row has no transcript_id", path=source, line=number,
                         hint='transcript, exon and CDS rows need a transcript_id "..."')
    rows = gene.transcripts.setdefault(transcript_id, _TranscriptRows(gene_id))
    rows.biotype = rows.biotype or _first(attributes, "transcript_biotype",
                                          "transcript_type") or ""
    rows.tags.update(attributes.get("tag", ()))
    rows.version = rows.version or _first(attributes, "transcript_version")
    if feature == "exon":
        rows.exons.append(interval)
    elif feature in ("CDS", "stop_codon"):
        rows.coding.append(interval)
    if feature == "CDS":
        protein = _first(attributes, "protein_id")
        if protein is not None and rows.protein_id is None:
            version = _first(attributes, "protein_version")
            rows.protein_id = protein if version is None else f"{protein}.{version}"
        rows.cds_phases.append((interval, int(cols[7]) if cols[7] in ("0", "1", "2") else 0))


def _first(attributes: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        values = attributes.get(key)
        if values:
            return values[0]
    return None


def _finish(gene: _GeneRows) -> Gene:
    transcripts = tuple(
        Transcript(
            transcript_id=tid, gene_id=gene.gene_id, biotype=rows.biotype,
            tags=frozenset(rows.tags),
            exons=merge(rows.exons or rows.coding), coding=merge(rows.coding),
            protein_id=rows.protein_id, version=rows.version,
            start_phase=_start_phase(rows.cds_phases, gene.strand),
        )
        for tid, rows in sorted(gene.transcripts.items())
    )
    return Gene(gene.gene_id, gene.symbol, gene.contig, gene.strand, gene.start, gene.end,
                gene.biotype, transcripts, hgnc_id=gene.hgnc_id)


def _start_phase(phases: list[tuple[Interval, int]], strand: str) -> int:
    """The phase of the CDS row at the transcript's 5' end (0 without CDS rows)."""
    if not phases:
        return 0
    first = max(phases, key=lambda p: p[0][1]) if strand == "-" else min(phases)
    return first[1]


def canonical_transcript(gene: Gene) -> Transcript | None:
    """The gene's canonical transcript (see the module docstring), None without transcripts."""
    for tag in (CANONICAL_TAG, MANE_SELECT_TAG):
        tagged = [t for t in gene.transcripts if tag in t.tags]
        if tagged:
            return min(tagged, key=lambda t: t.transcript_id)
    if not gene.transcripts:
        return None
    coding = [t for t in gene.transcripts if t.coding]
    pool, size = (coding, "coding_length") if coding else (list(gene.transcripts), "length")
    return min(pool, key=lambda t: (-getattr(t, size), t.transcript_id))


def coding_exons(gene: Gene, transcript: Transcript) -> tuple[CodingExon, ...]:
    """The coding part of each exon that has one, numbered in transcript order (5' → 3')."""
    ordered = transcript.exons if gene.strand != "-" else tuple(reversed(transcript.exons))
    parts: list[CodingExon] = []
    for number, (ex_start, ex_end) in enumerate(ordered, start=1):
        for cd_start, cd_end in transcript.coding:
            start, end = max(ex_start, cd_start), min(ex_end, cd_end)
            if start < end:
                parts.append(CodingExon(number, start, end))
    return tuple(sorted(parts, key=lambda p: (p.start, p.number)))


def _open_lines(path: Path) -> Iterator[str]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            yield from handle
    else:
        with path.open(encoding="utf-8") as handle:
            yield from handle


def read_gtf(path: Path, *, genes: Collection[str] | None = None) -> GeneModel:
    """Read a GTF file (plain, gzip or BGZF), keeping only ``genes`` when given."""
    if not path.is_file():
        raise InputError.missing_file(path, "gene model (GTF)")
    try:
        return parse_gtf(_open_lines(path), path, genes=genes)
    except (UnicodeDecodeError, OSError, EOFError) as exc:
        raise InputError(f"cannot read the gene model: {exc}", path=path,
                         hint="give a plain or gzip-compressed GTF text file") from None


# --- GFF3 --------------------------------------------------------------------------------------

_GFF3_CHILDREN = frozenset({"exon", "CDS", "stop_codon"})
_GFF3_PREFIXES = ("gene:", "transcript:")


def parse_gff3_attributes(text: str) -> dict[str, list[str]]:
    """GFF3 column 9 (``key=v1,v2;key2=v``) with values percent-decoded."""
    values: dict[str, list[str]] = {}
    for item in text.strip().split(";"):
        if not item.strip():
            continue
        key, equals, value = item.partition("=")
        if not equals:
            raise ValueError(f"attribute '{item[:40]}' has no '='")
        values.setdefault(key.strip(), []).extend(unquote(v) for v in value.split(","))
    return values


def _bare(identifier: str) -> str:
    for prefix in _GFF3_PREFIXES:
        if identifier.startswith(prefix):
            return identifier[len(prefix):]
    return identifier


@dataclass
class _Gff3Feature:
    feature: str
    contig: str
    strand: str
    interval: Interval
    attributes: dict[str, list[str]]
    line: int


def parse_gff3(lines: Iterable[str], source: Path | str) -> GeneModel:
    """Parse GFF3 lines (Ensembl or GENCODE) into a :class:`GeneModel`.

    A transcript is any feature that ``exon``/``CDS``/``stop_codon`` rows name as ``Parent``;
    its own ``Parent`` is its gene.  IDs lose Ensembl's ``gene:``/``transcript:`` prefixes
    (``gene_id``/``transcript_id`` attributes win when present); symbols come from ``Name`` or
    ``gene_name``, biotypes from ``biotype`` (Ensembl) or ``gene_type``/``transcript_type``
    (GENCODE), tags from ``tag``, versions from Ensembl's ``version``.
    """
    features: dict[str, _Gff3Feature] = {}
    children: list[tuple[_Gff3Feature, list[str], int]] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\n\r")
        if line.startswith("##FASTA"):
            break
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 9:
            raise InputError(f"GFF3 line has {len(cols)} tab-separated columns, 9 are needed",
                             path=source, line=number, hint="give a tab-separated GFF3 file")
        if cols[2] not in _GFF3_CHILDREN and "ID=" not in cols[8]:
            continue  # neither part of a transcript nor a parent (e.g. biological_region)
        try:
            first, last = int(cols[3]), int(cols[4])
        except ValueError:
            raise InputError("GFF3 start or end is not an integer", path=source, line=number,
                             hint="columns 4 and 5 are 1-based inclusive positions") from None
        if not 1 <= first <= last or cols[6] not in ("+", "-", ".", "?"):
            raise InputError(f"GFF3 interval {first}-{last} or strand '{cols[6]}' is invalid",
                             path=source, line=number,
                             hint="use 1 <= start <= end and strand +, - or .")
        try:
            attributes = parse_gff3_attributes(cols[8])
        except ValueError as exc:
            raise InputError(f"GFF3 attributes are malformed: {exc}", path=source,
                             line=number, hint="write attributes as key=value;…") from None
        feature = _Gff3Feature(cols[2], cols[0], cols[6] if cols[6] != "?" else ".",
                               (first - 1, last), attributes, number)
        if cols[2] in _GFF3_CHILDREN:
            phase = int(cols[7]) if cols[7] in ("0", "1", "2") else 0
            children.append((feature, attributes.get("Parent", []), phase))
        elif "ID" in attributes:
            features[attributes["ID"][0]] = feature
    found: dict[str, _GeneRows] = {}
    for child, parents, phase in children:
        if not parents:
            raise InputError(f"GFF3 {child.feature} row has no Parent", path=source,
                             line=child.line, hint="exon and CDS rows need Parent=<transcript>")
        for parent in parents:
            _add_gff3_child(found, features, child, parent, phase, source)
    return GeneModel(tuple(sorted((_finish(g) for g in found.values()),
                                  key=lambda g: (g.contig, g.start, g.gene_id))))


def _add_gff3_child(found: dict[str, _GeneRows], features: dict[str, _Gff3Feature],
                    child: _Gff3Feature, parent: str, phase: int, source: Path | str) -> None:
    transcript = features.get(parent)
    if transcript is None:
        raise InputError(f"GFF3 {child.feature} row names Parent '{parent}', which no row "
                         "defines", path=source, line=child.line,
                         hint="every Parent must be the ID of a transcript row")
    attrs = transcript.attributes
    gene_key = attrs.get("Parent", [parent])[0]
    gene_feature = features.get(gene_key, transcript)
    gene_attrs = gene_feature.attributes
    gene_id = _first(gene_attrs, "gene_id") or _bare(gene_key)
    gene = found.get(gene_id)
    if gene is None:
        gene = _GeneRows(
            gene_id=gene_id,
            symbol=_first(gene_attrs, "Name", "gene_name") or gene_id,
            contig=gene_feature.contig, strand=gene_feature.strand,
            start=gene_feature.interval[0], end=gene_feature.interval[1],
            biotype=_first(gene_attrs, "biotype", "gene_type", "gene_biotype") or "",
            hgnc_id=_first(gene_attrs, "hgnc_id"),
        )
        found[gene_id] = gene
    elif gene.contig != child.contig:
        raise InputError(f"gene {gene_id} has rows on {gene.contig} and {child.contig}",
                         path=source, line=child.line,
                         hint="a gene must lie on one contig (PAR copies need distinct IDs)")
    gene.start = min(gene.start, child.interval[0], transcript.interval[0])
    gene.end = max(gene.end, child.interval[1], transcript.interval[1])
    transcript_id = _first(attrs, "transcript_id") or _bare(parent)
    rows = gene.transcripts.setdefault(transcript_id, _TranscriptRows(gene_id))
    rows.biotype = rows.biotype or _first(attrs, "biotype", "transcript_type",
                                          "transcript_biotype") or ""
    rows.tags.update(attrs.get("tag", ()))
    if rows.version is None and "." not in transcript_id:
        rows.version = _first(attrs, "version")
    if child.feature == "exon":
        rows.exons.append(child.interval)
    else:
        rows.coding.append(child.interval)
    if child.feature == "CDS":
        protein = _first(child.attributes, "protein_id")
        if protein is not None and rows.protein_id is None:
            rows.protein_id = protein
        rows.cds_phases.append((child.interval, phase))


def _is_gff3(path: Path) -> bool:
    for raw in _open_lines(path):
        line = raw.strip()
        if line.startswith("##gff-version"):
            words = line.split()
            return len(words) > 1 and words[1].startswith("3")
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        attributes = cols[8] if len(cols) > 8 else ""
        return "=" in attributes and '"' not in attributes
    return False


def read_gene_model(path: Path, *, genes: Collection[str] | None = None) -> GeneModel:
    """Read a GTF or GFF3 file (plain, gzip or BGZF); ``genes`` filters GTF reading only."""
    if not path.is_file():
        raise InputError.missing_file(path, "gene model (GTF/GFF3)")
    try:
        if _is_gff3(path):
            model = parse_gff3(_open_lines(path), path)
            if genes is not None:
                wanted = {unversioned(g) for g in genes}
                model = GeneModel(tuple(g for g in model.genes
                                        if unversioned(g.gene_id) in wanted
                                        or g.symbol in wanted or g.hgnc_id in wanted))
            return model
        return parse_gtf(_open_lines(path), path, genes=genes)
    except (UnicodeDecodeError, OSError, EOFError) as exc:
        raise InputError(f"cannot read the gene model: {exc}", path=path,
                         hint="give a plain or gzip-compressed GTF or GFF3 text file") from None
