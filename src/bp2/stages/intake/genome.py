"""The htslib edge of intake: the reference FASTA and its indexes, BAM headers and counts, and the
contigs of resource files.  Each reader opens only the files it is given (indexes are passed to
pysam explicitly) and returns plain records; every problem comes back as a ``Fault`` (what, where,
fix) for the stage to turn into an InputError naming the input field.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pysam

from bp2.stages.intake.builds import Contig
from bp2.stages.intake.fastq import GZIP_MAGIC, is_bgzf_header

FASTA_BASES = frozenset("ACGTNRYKMSWBDHVacgtnrykmswbdhv")


@dataclass(frozen=True)
class Fault:
    """A problem found in one file: title, fix, and the line when there is one."""

    title: str
    hint: str
    line: int | None = None


def parse_fai(text: str) -> tuple[list[Contig], list[Fault]]:
    """Parse a FASTA index (.fai): name, length, offset, line bases, line width per line."""
    contigs: list[Contig] = []
    faults: list[Fault] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) not in (5, 6) or not all(c.isdigit() for c in cols[1:]):
            faults.append(Fault(
                "line is not a FASTA index entry (name, length, offset, line bases, line width "
                "separated by tabs)", "regenerate the index with 'samtools faidx REF'", number))
            continue
        name, length = cols[0], int(cols[1])
        if name in seen:
            faults.append(Fault(f"contig '{name}' is indexed twice",
                                "regenerate the index with 'samtools faidx REF'", number))
        seen.add(name)
        if length == 0:
            faults.append(Fault(f"contig '{name}' has length 0",
                                "remove empty sequences from the FASTA and re-index it", number))
        contigs.append(Contig(name=name, length=length))
    if not contigs and not faults:
        faults.append(Fault("the FASTA index lists no contigs",
                            "regenerate the index with 'samtools faidx REF'"))
    return contigs, faults


def _first_bytes(path: Path, n: int = 18) -> bytes:
    with path.open("rb") as handle:
        return handle.read(n)


@dataclass
class Reference:
    """An opened reference FASTA: its contigs (from the .fai) and an M5 calculator."""

    contigs: list[Contig]
    fasta: pysam.FastaFile
    compressed: bool
    _md5: dict[str, str] = field(default_factory=dict)

    @property
    def lengths(self) -> dict[str, int]:
        return {c.name: c.length for c in self.contigs if c.length is not None}

    def md5(self, name: str) -> str:
        """M5 of a contig (MD5 of its upper-case sequence), computed once."""
        if name not in self._md5:
            self._md5[name] = hashlib.md5(self.fasta.fetch(name).upper().encode(),
                                          usedforsecurity=False).hexdigest()
        return self._md5[name]

    def close(self) -> None:
        self.fasta.close()


def open_reference(fasta: Path, fai: Path, gzi: Path | None
                   ) -> tuple[Reference | None, list[tuple[str, Fault]]]:
    """Open the reference with its named indexes; faults are paired with the field they concern."""
    faults: list[tuple[str, Fault]] = []
    head = _first_bytes(fasta)
    compressed = head.startswith(GZIP_MAGIC)
    if compressed and not is_bgzf_header(head):
        faults.append(("reference", Fault(
            "the reference is gzip-compressed but not with bgzip, so it cannot be indexed",
            "recompress it: zcat REF.fa.gz | bgzip > REF.fa.gz, then samtools faidx REF.fa.gz")))
    elif not compressed and not head.startswith(b">"):
        faults.append(("reference", Fault(
            "the reference is not a FASTA file (it does not start with '>')",
            "give the reference FASTA (plain or bgzip-compressed)", 1)))
    if compressed and gzi is None:
        faults.append(("reference_gzi", Fault(
            "the reference is bgzip-compressed but no .gzi index is given",
            "index it with 'samtools faidx REF.fa.gz' (writes .fai and .gzi) and name the .gzi "
            "in reference_gzi")))
    if not compressed and gzi is not None:
        faults.append(("reference_gzi", Fault(
            "a .gzi index is given but the reference is not compressed",
            "give the .gzi only with a bgzip-compressed reference, or the matching FASTA")))
    try:
        fai_text = fai.read_text(encoding="ascii")
    except UnicodeDecodeError:
        faults.append(("reference_index", Fault(
            "the FASTA index is not a text .fai file", "regenerate it with 'samtools faidx REF'")))
        return None, faults
    contigs, fai_faults = parse_fai(fai_text)
    faults.extend(("reference_index", f) for f in fai_faults)
    if faults:
        return None, faults
    try:
        handle = pysam.FastaFile(str(fasta), filepath_index=str(fai),
                                 filepath_index_compressed=None if gzi is None else str(gzi))
    except (OSError, ValueError) as exc:
        faults.append(("reference", Fault(
            f"the reference cannot be opened with its indexes: {exc}",
            "regenerate the indexes from this FASTA with 'samtools faidx REF'")))
        return None, faults
    # the .fai must describe this FASTA: first and last base of every contig must be bases
    for contig in contigs:
        assert contig.length is not None  # parse_fai always sets it
        try:
            ends = handle.fetch(contig.name, 0, 1) + handle.fetch(
                contig.name, contig.length - 1, contig.length)
        except (OSError, ValueError, KeyError) as exc:
            ends = f"error: {exc}"
        if len(ends) != 2 or not set(ends) <= FASTA_BASES:
            faults.append(("reference_index", Fault(
                f"the FASTA index does not describe this FASTA: contig '{contig.name}' cannot be "
                "read at the offsets it gives",
                "regenerate the index from this FASTA with 'samtools faidx REF'")))
            handle.close()
            return None, faults
    return Reference(contigs=contigs, fasta=handle, compressed=compressed), faults


@dataclass(frozen=True)
class BamInfo:
    """What intake learns from a BAM: header contigs, where its reads are, and how many."""

    contigs: tuple[Contig, ...]
    used: tuple[str, ...]  # contigs with mapped reads (from the index)
    samples: tuple[str, ...]  # @RG SM values
    records: int  # every record, counted by reading the whole file
    mapped: int
    unmapped: int


def read_bam(bam: Path, index: Path, *, scan: bool = True) -> tuple[BamInfo | None, list[Fault]]:
    """Read a BAM's header and index statistics, and count its records to the end."""
    faults: list[Fault] = []
    try:
        handle = pysam.AlignmentFile(str(bam), "rb", index_filename=str(index),
                                     check_sq=False, require_index=True)
    except (OSError, ValueError) as exc:
        text = str(exc)
        if "truncat" in text.lower() or "EOF" in text:
            title = f"the BAM is truncated ({text})"
            hint = "copy the BAM again from its source; check it with 'samtools quickcheck'"
        else:
            title = f"the BAM or its index cannot be opened: {text}"
            hint = "give a coordinate-sorted BAM and its .bai/.csi ('samtools index BAM')"
        return None, [Fault(title, hint)]
    with handle:
        if not handle.is_bam:
            return None, [Fault("the file is not a BAM",
                                "give a BAM (CRAM input is not supported by this version)")]
        header = handle.header.to_dict()
        contigs = tuple(Contig(name=str(sq["SN"]), length=int(sq["LN"]),
                               md5=str(sq["M5"]).lower() if "M5" in sq else None)
                        for sq in header.get("SQ", []))
        samples = tuple(sorted({str(rg["SM"]) for rg in header.get("RG", []) if "SM" in rg}))
        stats = handle.get_index_statistics()
        mapped = sum(s.mapped for s in stats)
        unmapped = sum(s.unmapped for s in stats) + handle.nocoordinate
        used = tuple(s.contig for s in stats if s.mapped)
        indexed = mapped + unmapped
        records = indexed
        if scan:
            try:
                records = handle.count(until_eof=True)
            except (OSError, ValueError) as exc:
                return None, [Fault(
                    f"the BAM cannot be read to its end ({exc}): it is truncated or damaged",
                    "copy the BAM again from its source; check it with 'samtools quickcheck'")]
            if records != indexed:
                faults.append(Fault(
                    f"the BAM holds {records:,} records but its index counts {indexed:,}: the "
                    "index belongs to another file or is out of date",
                    "re-index the BAM ('samtools index BAM') and name the new index"))
    return BamInfo(contigs=contigs, used=used, samples=samples, records=records,
                   mapped=mapped, unmapped=unmapped), faults


VCF_SUFFIXES = (".vcf", ".vcf.gz", ".vcf.bgz", ".bcf")
TABLE_SUFFIXES = (".bed", ".bed.gz", ".gtf", ".gtf.gz", ".gff", ".gff.gz", ".gff3", ".gff3.gz")


def resource_kind(path: Path) -> str | None:
    """'vcf', 'table' (BED/GTF/GFF) or None, by file name."""
    name = path.name.lower()
    if name.endswith(VCF_SUFFIXES):
        return "vcf"
    if name.endswith(TABLE_SUFFIXES):
        return "table"
    return None


@dataclass(frozen=True)
class ResourceContigs:
    declared: tuple[Contig, ...]  # from the header (VCF ##contig), possibly empty
    used: tuple[str, ...]  # contigs that hold records


def read_vcf_contigs(path: Path, index: Path | None) -> tuple[ResourceContigs | None, list[Fault]]:
    """A VCF/BCF's declared contigs (with lengths and M5 when given) and contigs with records."""
    verbosity = pysam.set_verbosity(0)  # htslib's header-sanity warnings are not intake's findings
    try:
        handle = pysam.VariantFile(str(path), index_filename=None if index is None else str(index))
    except (OSError, ValueError) as exc:
        return None, [Fault(f"the VCF (or its index) cannot be opened: {exc}",
                            "give a valid VCF/BCF and, for a compressed one, its .tbi/.csi")]
    finally:
        pysam.set_verbosity(verbosity)
    with handle:
        declared = []
        for name, contig in handle.header.contigs.items():
            md5 = contig.header_record.get("md5") if contig.header_record is not None else None
            declared.append(Contig(name=str(name), length=contig.length,
                                   md5=None if md5 is None else str(md5).lower()))
        if handle.index is not None:
            used = tuple(str(k) for k in handle.index.keys())  # noqa: SIM118 - not a dict
        else:
            seen: dict[str, None] = {}
            try:
                for record in handle.fetch():
                    seen.setdefault(record.chrom)
            except (OSError, ValueError) as exc:
                return None, [Fault(f"the VCF cannot be read to its end: {exc}",
                                    "copy the file again from its source")]
            used = tuple(seen)
    return ResourceContigs(declared=tuple(declared), used=used), []


def read_table_contigs(path: Path) -> tuple[ResourceContigs | None, list[Fault]]:
    """The contigs (first column) of a BED/GTF/GFF file, plain or gzip-compressed."""
    seen: dict[str, None] = {}
    compressed = _first_bytes(path, 2) == GZIP_MAGIC
    try:
        with (gzip.open(path, "rt", encoding="utf-8") if compressed
              else path.open(encoding="utf-8")) as handle:
            for line in handle:
                if not line.strip() or line.startswith(("#", "track", "browser")):
                    continue
                seen.setdefault(line.split("\t", 1)[0])
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        return None, [Fault(f"the file cannot be read to its end: {exc}",
                            "copy the file again from its source")]
    return ResourceContigs(declared=(), used=tuple(seen)), []
