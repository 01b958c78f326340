"""The tier stage's VCF edge: an annotated multi-sample VCF → :class:`~.model.Variant` records.

Streams the file with pysam (the index, when given, is passed explicitly and never looked up);
every ALT allele of a record becomes a :class:`Variant` (``*`` and symbolic alleles are skipped
and counted).  Reads the consequence annotation named by the annotation contract
(:mod:`bp2.annotation`: ``CSQ``, else ``ANN``, else ``BCSQ``), the frequency keys the rules
test, the ClinVar keys, INFO/DP and, per sample, GT, GQ, DP, AD and PS.

Where X is pseudo-autosomal comes from the ploidy file (male haploid spans of X; the same file
the call stage uses) or, without one, from the GRC coordinates of the build the VCF header's X
length identifies.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pysam

from bp2.annotation import (
    ANN_KEY,
    ANN_STANDARD_FIELDS,
    CLINVAR_REVIEW_STATUS_KEY,
    CLINVAR_SIGNIFICANCE_KEY,
    CONSEQUENCE_KEYS,
    CSQ_KEY,
    AnnotationFormatError,
    Impact,
    TranscriptConsequence,
    consequences_for_allele,
    header_format_fields,
    parse_ann,
    parse_bcsq,
    parse_csq,
    review_status_text,
    significance_terms,
)
from bp2.errors import InputError
from bp2.genome import PARS, Span, male_haploid_spans, outside, parse_ploidy
from bp2.stages.tier.model import Call, Region, Variant
from bp2.stages.tier.rules import Contigs

IMPLEMENTS = ("SRS-229", "SRS-230", "SRS-231", "SRS-232", "SRS-279")

# Genome Reference Consortium: chrX length → the spans of X outside PAR1 and PAR2.
GRC_X_NONPAR: Mapping[int, tuple[str, tuple[Span, ...]]] = {
    sex.x_length: (str(build), outside(sex.x_pars, sex.x_length)) for build, sex in PARS.items()
}


@dataclass(frozen=True)
class RegionMap:
    """Which region (autosome, X PAR, X, MT, other) a position lies in."""

    contigs: Contigs
    x_nonpar: Mapping[str, tuple[Span, ...]]  # X contig name → spans outside the PARs
    par_source: str

    def classify(self, chrom: str, pos: int) -> Region:
        if chrom in self.contigs.autosomes:
            return Region.AUTOSOMAL
        if chrom in self.contigs.mitochondrial:
            return Region.MT
        if chrom in self.contigs.x:
            spans = self.x_nonpar.get(chrom)
            if spans is None:
                raise InputError(
                    f"cannot tell where the pseudo-autosomal regions of {chrom} are",
                    field="ploidy",
                    hint="give the ploidy file (male haploid spans of X), or a VCF whose header "
                    "declares the GRCh37 or GRCh38 length of X",
                )
            return Region.X if any(a <= pos <= b for a, b in spans) else Region.X_PAR
        return Region.OTHER


def parse_ploidy_x(text: str, source: Path, x_names: Sequence[str]) -> dict[str, tuple[Span, ...]]:
    """Male haploid spans of X from a bcftools ploidy file (``CHROM FROM TO SEX PLOIDY``)."""
    lines = parse_ploidy(text, source)
    spans = {name: male_haploid_spans(lines, name) for name in x_names}
    spans = {name: found for name, found in spans.items() if found}
    if not spans:
        raise InputError("the ploidy file gives no male haploid span on X", path=source,
                         hint="it must list chrX (or X) outside the PARs with sex M, ploidy 1")
    return spans


def region_map(contigs: Contigs, header_lengths: Mapping[str, int],
               ploidy: Mapping[str, tuple[Span, ...]] | None) -> RegionMap:
    if ploidy is not None:
        return RegionMap(contigs, ploidy, "ploidy file")
    x_nonpar: dict[str, tuple[Span, ...]] = {}
    builds = []
    for name in contigs.x:
        length = header_lengths.get(name)
        if length is not None and length in GRC_X_NONPAR:
            build, spans = GRC_X_NONPAR[length]
            x_nonpar[name] = spans
            builds.append(build)
    return RegionMap(contigs, x_nonpar, f"{'/'.join(builds)} X length" if builds else "none")


@dataclass
class ReadCounts:
    records: int = 0
    alleles: int = 0
    symbolic_alleles: int = 0
    not_pass: int = 0
    filter_missing: int = 0  # FILTER '.' (no filtering applied): not PASS either
    by_region: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class VcfInfo:
    samples: tuple[str, ...]
    contig_lengths: Mapping[str, int]
    consequence_key: str | None
    info_keys: frozenset[str]


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _call(sample: Any, fmt: frozenset[str], allele: int) -> Call:
    if "GT" not in fmt:
        return Call(copies=None)
    alleles = sample["GT"] or ()
    phased = bool(sample.phased)
    text = ("|" if phased else "/").join("." if a is None else str(a) for a in alleles) or "."
    copies = None if not alleles or None in alleles else sum(1 for a in alleles if a == allele)
    ref_reads = alt_reads = None
    if "AD" in fmt:
        depths = sample["AD"]
        if isinstance(depths, tuple) and len(depths) > allele:
            ref_reads, alt_reads = _number(depths[0]), _number(depths[allele])
    return Call(
        copies=copies, gt=text, ploidy=len(alleles),
        gq=_number(sample["GQ"]) if "GQ" in fmt else None,
        dp=_number(sample["DP"]) if "DP" in fmt else None,
        ref_reads=ref_reads, alt_reads=alt_reads, phased=phased,
        phase_set=_number(sample["PS"]) if "PS" in fmt else None,
        alt_haplotypes=tuple(i for i, a in enumerate(alleles) if a == allele),
    )


def _decimal(value: Any) -> float:
    """A VCF Float (32-bit in htslib) as the decimal written in the file: 0.001 stays 0.001.

    Without this, 0.001 read back as 0.0010000000474974513 would exceed a 0.001 threshold.
    """
    return float(str(np.float32(value)))


def _per_allele(value: Any, index: int, n_alts: int) -> float | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        if len(value) == n_alts:
            item = value[index]
        elif len(value) == 1:
            item = value[0]
        else:
            raise ValueError(f"{len(value)} values for {n_alts} ALT allele(s)")
        return None if item is None else _decimal(item)
    return _decimal(value)


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, tuple):
        return tuple(str(v) for v in value if v is not None)
    return (str(value),)


GENE_ONLY_TERM = "sequence_variant"  # SO: a change whose consequence was not annotated


def gene_consequences(values: Sequence[str], source: str) -> list[TranscriptConsequence]:
    """Consequences from a gene-name INFO field (``--gene-field``): one per gene named, with
    the consequence unknown (``sequence_variant``, MODIFIER) and no transcript or HGVS.  Names
    are split on ``,``, ``|`` and ``&``; an Ensembl gene ID is kept as the gene ID."""
    names: list[str] = []
    for value in values:
        for name in re.split(r"[,|&]", value):
            name = name.strip()
            if name and name != "." and name not in names:
                names.append(name)
    return [
        TranscriptConsequence(
            source=source, allele="", terms=(GENE_ONLY_TERM,), impact=Impact.MODIFIER,
            symbol=None if name.startswith("ENSG") else name,
            gene_id=name.split(".", 1)[0] if name.startswith("ENSG") else None,
            hgnc_id=None, transcript=None, biotype=None, hgvsc=None, hgvsp=None)
        for name in names
    ]


class VcfReader:
    """Open an annotated VCF; :meth:`variants` streams its alleles as :class:`Variant`.

    Without a ``CSQ``/``ANN``/``BCSQ`` key, ``gene_field`` names an INFO key of gene names to
    read instead (:func:`gene_consequences`); with one, giving ``gene_field`` is an error.
    """

    def __init__(self, path: Path, index: Path | None, frequency_keys: Sequence[str],
                 gene_field: str | None = None) -> None:
        self.path = path
        try:
            if index is not None:
                self.handle = pysam.VariantFile(str(path), index_filename=str(index))
            else:
                self.handle = pysam.VariantFile(str(path))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the VCF: {exc}", path=path, field="vcf",
                             hint="give a VCF or bgzip-compressed VCF") from None
        header = self.handle.header
        info_keys = frozenset(header.info.keys())
        consequence_key = next((k for k in CONSEQUENCE_KEYS if k in info_keys), None)
        self.gene_field: str | None = None
        if gene_field is not None:
            self.gene_field = self._gene_field(gene_field, consequence_key, header)
            consequence_key = f"INFO/{gene_field}"
        self.info = VcfInfo(
            samples=tuple(header.samples),
            contig_lengths={str(name): c.length for name, c in header.contigs.items()
                            if c.length is not None},
            consequence_key=consequence_key,
            info_keys=info_keys,
        )
        self.fields: tuple[str, ...] = ()
        if consequence_key == CSQ_KEY:
            self.fields = self._fields(CSQ_KEY, header.info[CSQ_KEY].description or "")
        elif consequence_key == ANN_KEY:
            description = header.info[ANN_KEY].description or ""
            if "Annotation_Impact" not in description:
                raise InputError("the ANN header does not describe SnpEff's ANN standard",
                                 path=path, field="ANN",
                                 hint="annotate with SnpEff 4.1 or later (ANN, not EFF)")
            self.fields = ANN_STANDARD_FIELDS
        self.frequency_keys = tuple(k for k in frequency_keys if k in info_keys)
        self.counts = ReadCounts()

    def _gene_field(self, key: str, consequence_key: str | None, header: Any) -> str:
        if consequence_key is not None:
            raise InputError(
                f"the VCF carries {consequence_key} consequences, so a gene field "
                f"(INFO/{key}) is not used", path=self.path, field="gene_field",
                hint=f"drop --gene-field: tiering reads {consequence_key}")
        if key not in header.info:
            raise InputError(
                f"the VCF header declares no INFO/{key} (the gene field)", path=self.path,
                field="gene_field",
                hint="name an INFO key of the VCF that holds gene symbols or Ensembl gene IDs")
        if header.info[key].type != "String":
            raise InputError(
                f"INFO/{key} is of type {header.info[key].type}, not String: it cannot hold "
                "gene names", path=self.path, field="gene_field",
                hint="name an INFO key of the VCF that holds gene symbols or Ensembl gene IDs")
        return key

    def _fields(self, key: str, description: str) -> tuple[str, ...]:
        try:
            return header_format_fields(description)
        except AnnotationFormatError as exc:
            raise InputError(f"the {key} header is malformed: {exc}", path=self.path, field=key,
                             hint="the Description must end with 'Format: Allele|Consequence|…'"
                             ) from None

    def close(self) -> None:
        self.handle.close()

    def _consequences(self, record: Any) -> list[TranscriptConsequence]:
        key = self.info.consequence_key
        if key is None:
            return []
        if self.gene_field is not None:
            return gene_consequences(_strings(record.info.get(self.gene_field)), key)
        raw = _strings(record.info.get(key))
        if key == CSQ_KEY:
            return parse_csq(raw, self.fields)
        if key == ANN_KEY:
            return parse_ann(raw, self.fields)
        return parse_bcsq(raw)

    def variants(self, regions: RegionMap) -> Iterator[Variant]:
        samples = self.info.samples
        counts = self.counts
        for record in self.handle:
            counts.records += 1
            where = f"{record.chrom}:{record.pos}"
            alts = tuple(record.alts or ())
            filters = tuple(str(f) for f in record.filter)
            ref = str(record.ref)
            fmt = frozenset(record.format.keys())
            try:
                consequences = self._consequences(record)
                significance = significance_terms(_strings(
                    record.info.get(CLINVAR_SIGNIFICANCE_KEY)
                    if CLINVAR_SIGNIFICANCE_KEY in self.info.info_keys else None))
                review = _strings(record.info.get(CLINVAR_REVIEW_STATUS_KEY)
                                  if CLINVAR_REVIEW_STATUS_KEY in self.info.info_keys else None)
            except AnnotationFormatError as exc:
                raise InputError(f"bad annotation at {where}: {exc}", path=self.path,
                                 field=self.info.consequence_key,
                                 hint="annotate with the annotate stage, VEP, SnpEff or "
                                 "bcftools csq") from None
            site_depth = _number(record.info.get("DP")) if "DP" in self.info.info_keys else None
            try:
                region = regions.classify(record.chrom, record.pos)
            except InputError as exc:
                raise InputError(f"{exc.title} (record {where})", path=self.path,
                                 field="ploidy", hint=exc.hint) from None
            for index, alt in enumerate(alts):
                if alt == "*" or alt.startswith("<") or "[" in alt or "]" in alt:
                    counts.symbolic_alleles += 1
                    continue
                counts.alleles += 1
                counts.by_region[region.value] = counts.by_region.get(region.value, 0) + 1
                if filters != ("PASS",):
                    counts.not_pass += 1
                    if not filters:
                        counts.filter_missing += 1
                try:
                    mine = (consequences if self.gene_field is not None else
                            consequences_for_allele(consequences, ref, alts, index))
                    frequencies = {
                        key: _per_allele(record.info.get(key), index, len(alts))
                        for key in self.frequency_keys
                    }
                except (AnnotationFormatError, ValueError) as exc:
                    raise InputError(f"bad annotation at {where}: {exc}", path=self.path,
                                     hint="one value per ALT allele (Number=A) is expected"
                                     ) from None
                yield Variant(
                    chrom=record.chrom, pos=record.pos, ref=ref, alt=alt, region=region,
                    calls={s: _call(record.samples[s], fmt, index + 1) for s in samples},
                    filters=filters, site_depth=site_depth, consequences=tuple(mine),
                    frequencies=frequencies, clinvar_significance=significance,
                    clinvar_review_status=review_status_text(review) if review else None,
                )


@contextlib.contextmanager
def open_vcf(path: Path, index: Path | None, frequency_keys: Sequence[str],
             gene_field: str | None = None) -> Iterator[VcfReader]:
    reader = VcfReader(path, index, frequency_keys, gene_field)
    try:
        yield reader
    finally:
        reader.close()
