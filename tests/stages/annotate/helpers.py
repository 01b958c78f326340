"""Helpers of the annotate tests: demo inputs, reading the annotated VCF back."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

from bp2.annotation import header_format_fields
from bp2.demo import DemoCase
from bp2.stages.annotate import AnnotateInputs
from tests.testdata import data_file

GIAB_SLICE = "grch38_chr22_slice_nfcore/truth/NA12878_GIAB.chr22.vcf.gz"
SLICE_OFFSET = 16_569_999  # slice position = chr22 position - offset (data README)
SLICE_LENGTH = 40_001


def demo_inputs(case: DemoCase, vcf: Path | None = None) -> AnnotateInputs:
    return AnnotateInputs(
        vcf=vcf or case.truth_vcf, reference=case.reference,
        reference_index=case.reference_index, gene_model=case.gene_model,
        gene_model_version="demo", population_af=case.population_af,
        population_af_index=case.population_af_index, population_af_version="demo-gnomad",
        clinvar=case.clinvar, clinvar_index=case.clinvar_index, clinvar_version="demo-clinvar")


@dataclass(frozen=True)
class Record:
    chrom: str
    pos: int
    ref: str
    alt: str
    info: dict[str, str]
    csq: tuple[dict[str, str], ...]

    @property
    def label(self) -> str:
        return self.info.get("LABEL", "")


def read_annotated(path: Path) -> tuple[list[str], list[Record]]:
    """Header lines and records (INFO split, CSQ entries as field → value) of an output VCF."""
    header: list[str] = []
    records: list[Record] = []
    fields: tuple[str, ...] = ()
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("#"):
                header.append(line)
                if line.startswith("##INFO=<ID=CSQ"):
                    description = line.split('Description="', 1)[1].rsplit('"', 1)[0]
                    fields = header_format_fields(description)
                continue
            cols = line.split("\t")
            info = dict(item.partition("=")[::2] for item in cols[7].split(";") if item)
            csq = tuple(dict(zip(fields, entry.split("|"), strict=True))
                        for entry in info.get("CSQ", "").split(",") if entry)
            records.append(Record(cols[0], int(cols[1]), cols[3], cols[4], info, csq))
    return header, records


def one_letter(hgvsp: str) -> str:
    """``ENSP…:p.Ser216Pro`` → ``S216P`` (``Ter`` → ``*``), for the demo's answer key."""
    from bp2.stages.annotate.codons import THREE_LETTER

    three_to_one = {v: k for k, v in THREE_LETTER.items()}
    change = hgvsp.split(":p.", 1)[1]
    ref, rest = change[:3], change[3:]
    digits = "".join(c for c in rest if c.isdigit())
    alt = rest[len(digits):]
    return f"{three_to_one[ref]}{digits}{three_to_one.get(alt, alt)}"


def slice_giab_vcf(out: Path) -> Path:
    """GIAB v4.2.1 HG001 truth of the chr22 slice, every column kept, moved to slice coordinates
    (POS − 16,569,999) with the slice's contig line: 81 records, three of them multi-allelic."""
    lines = []
    with gzip.open(data_file(GIAB_SLICE), "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("##contig="):
                if line.startswith("##contig=<ID=chr22,"):
                    lines.append(f"##contig=<ID=chr22,length={SLICE_LENGTH}>\n")
                continue
            if not line.startswith("#"):
                cols = line.split("\t")
                cols[1] = str(int(cols[1]) - SLICE_OFFSET)
                line = "\t".join(cols)
            lines.append(line)
    out.write_text("".join(lines), encoding="utf-8")
    return out
