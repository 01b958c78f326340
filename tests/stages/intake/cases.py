"""Hand-made intake cases: small FASTQs, references, BAMs and case files written into a tmp dir.

Every number a test asserts against is written here or in the test, so the expected answers
come from the construction, not from the stage.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pysam

Record = tuple[str, str, str]  # name, bases, qualities


def reads(n: int, *, length: int = 50, seed: int = 1, prefix: str = "r") -> list[Record]:
    rng = random.Random(seed)
    return [
        (f"{prefix}{i}", "".join(rng.choice("ACGT") for _ in range(length)),
         "".join(rng.choice("5?AFIJ") for _ in range(length)))
        for i in range(n)
    ]


def fastq_text(records: Sequence[Record], suffix: str = "") -> str:
    return "".join(f"@{name}{suffix}\n{seq}\n+\n{qual}\n" for name, seq, qual in records)


def write_fastq(path: Path, records: Sequence[Record], *, suffix: str = "",
                bgzf: bool = True) -> Path:
    """Write records as BGZF (bgzip, like sequencers' pipelines) or plain gzip."""
    text = fastq_text(records, suffix).encode()
    if bgzf:
        plain = path.with_name(path.name + ".plain")
        plain.write_bytes(text)
        pysam.tabix_compress(str(plain), str(path), force=True)
        plain.unlink()
    else:
        path.write_bytes(gzip.compress(text, mtime=0))
    return path


def write_pair(folder: Path, sample: str, n: int, *, seed: int = 1) -> tuple[Path, Path]:
    records = reads(n, seed=seed, prefix=f"{sample}_")
    mates = [(name, seq[::-1], qual[::-1]) for name, seq, qual in records]
    return (write_fastq(folder / f"{sample}_R1.fastq.gz", records, suffix="/1"),
            write_fastq(folder / f"{sample}_R2.fastq.gz", mates, suffix="/2"))


@dataclass(frozen=True)
class Reference:
    fasta: Path
    fai: Path
    gzi: Path


def write_reference(folder: Path, contigs: dict[str, int], *, seed: int = 7) -> Reference:
    """A bgzip-compressed FASTA of random bases with its .fai and .gzi."""
    rng = random.Random(seed)
    plain = folder / "ref.fa"
    with plain.open("w") as handle:
        for name, length in contigs.items():
            seq = "".join(rng.choice("ACGT") for _ in range(length))
            handle.write(f">{name}\n")
            for start in range(0, length, 60):
                handle.write(seq[start:start + 60] + "\n")
    fasta = folder / "ref.fa.gz"
    pysam.tabix_compress(str(plain), str(fasta), force=True)
    plain.unlink()
    pysam.faidx(str(fasta))
    return Reference(fasta, folder / "ref.fa.gz.fai", folder / "ref.fa.gz.gzi")


def write_bam(path: Path, contigs: dict[str, int], placed: dict[str, int], *,
              sample: str = "S1") -> tuple[Path, Path]:
    """A coordinate-sorted BAM with ``placed[contig]`` mapped reads on each contig, and its .bai."""
    header = {"HD": {"VN": "1.6", "SO": "coordinate"},
              "SQ": [{"SN": n, "LN": ln} for n, ln in contigs.items()],
              "RG": [{"ID": "rg1", "SM": sample}]}
    names = list(contigs)
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        for contig in names:
            for i in range(placed.get(contig, 0)):
                seg = pysam.AlignedSegment(out.header)
                seg.query_name = f"{contig}_{i}"
                seg.query_sequence = "ACGT" * 10
                seg.query_qualities = pysam.qualitystring_to_array("I" * 40)
                seg.flag = 0
                seg.reference_id = names.index(contig)
                seg.reference_start = 10 + i
                seg.mapping_quality = 60
                seg.cigarstring = "40M"
                seg.set_tag("RG", "rg1")
                out.write(seg)
    pysam.index(str(path))
    return path, path.with_name(path.name + ".bai")


def write_case(folder: Path, samples: Sequence[dict[str, Any]], ped_lines: Sequence[str],
               reference: Reference | tuple[Path, Path, Path | None],
               resources: Sequence[dict[str, Any]] = ()) -> Path:
    """Samplesheet, PED and inputs.json in ``folder``; returns inputs.json.

    Each sample dict holds ``sample``, ``sex`` and either ``fastq_1``/``fastq_2`` (with optional
    ``md5_1``/``md5_2``) or ``bam``/``bam_index``; paths are written as given.
    """
    columns = ["sample", "sex", "fastq_1", "fastq_2", "md5_1", "md5_2", "bam", "bam_index"]
    lines = [",".join(columns)]
    for s in samples:
        lines.append(",".join(str(s.get(c, "")) for c in columns))
    (folder / "samplesheet.csv").write_text("\n".join(lines) + "\n")
    (folder / "case.ped").write_text("".join(line + "\n" for line in ped_lines))
    fasta, fai, gzi = (reference.fasta, reference.fai, reference.gzi) \
        if isinstance(reference, Reference) else reference
    entries = []
    for s in samples:
        entry = {"sample": s["sample"]}
        for key in ("fastq_1", "fastq_2", "bam", "bam_index"):
            if s.get(key):
                entry[key] = str(s[key])
        entries.append(entry)
    inputs = {"samplesheet": "samplesheet.csv", "pedigree": "case.ped", "reads": entries,
              "reference": str(fasta), "reference_index": str(fai),
              "reference_gzi": None if gzi is None else str(gzi),
              "resources": [dict(r) for r in resources]}
    path = folder / "inputs.json"
    path.write_text(json.dumps(inputs, indent=1))
    return path


def run_cli(exe: str, inputs: Path, outdir: Path, *extra: str) -> tuple[int, str]:
    """Run ``bp2 stage run intake``; return the exit code and stderr with whitespace collapsed."""
    env = {**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"}
    proc = subprocess.run([exe, "stage", "run", "intake", "--inputs", str(inputs), "--outdir",
                           str(outdir), *extra], capture_output=True, text=True, env=env,
                          check=False)
    return proc.returncode, " ".join((proc.stderr + proc.stdout).split())


def no_outputs(outdir: Path) -> bool:
    """True when nothing final (and nothing temporary) was written under ``outdir``."""
    if not outdir.exists():
        return True
    return not [p for p in outdir.rglob("*") if p.is_file()]
