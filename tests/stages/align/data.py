"""Real test data for the align stage tests: dataset 1 (hg19 chr20 NA12878) and helpers.

Every file comes through :func:`tests.testdata.data_file`, which checks its sha256 against the
manifest.  Small subsets (the first N read pairs) are written by the tests themselves.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from itertools import islice
from pathlib import Path

import pytest

from bp2.stages.align import AlignInputs
from tests.testdata import data_file

DS1 = "grch37_chr20_NA12878_deepvariant"
REFERENCE = f"{DS1}/reference/ucsc.hg19.chr20.unittest.fasta.gz"
FASTQ_1 = f"{DS1}/derived/NA12878_S1.chr20.10_10p1mb_R1.fastq.gz"
FASTQ_2 = f"{DS1}/derived/NA12878_S1.chr20.10_10p1mb_R2.fastq.gz"
UPSTREAM_BAM = f"{DS1}/reads/NA12878_S1.chr20.10_10p1mb.bam"
DS2_BAM = "grch37_chr20_trio_deeptrio/reads/HG001.chr20.10_10p1mb_sorted.bam"
SAMPLE = "NA12878"


def reference_files() -> tuple[Path, Path, Path]:
    return data_file(REFERENCE), data_file(REFERENCE + ".fai"), data_file(REFERENCE + ".gzi")


def fastq_files() -> tuple[Path, Path]:
    return data_file(FASTQ_1), data_file(FASTQ_2)


def subset_fastq(source: Path, target: Path, pairs: int) -> Path:
    """Write the first ``pairs`` records of a FASTQ to a gzip file."""
    with gzip.open(source, "rt") as handle, gzip.open(target, "wt", compresslevel=1) as out:
        out.writelines(islice(handle, 4 * pairs))
    return target


def fastq_inputs(fastq_1: Path, fastq_2: Path, sample: str = SAMPLE) -> AlignInputs:
    ref, fai, gzi = reference_files()
    return AlignInputs(sample=sample, reference=ref, reference_index=fai, reference_gzi=gzi,
                       fastq_1=fastq_1, fastq_2=fastq_2)


def require_tools(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        names = " ".join(missing)
        pytest.fail(f"Debian tools missing: {names} (apt-get install {names})")


def samtools_json(*args: str) -> dict[str, dict[str, int]]:
    text = subprocess.run(["samtools", *args], check=True, capture_output=True, text=True).stdout
    result: dict[str, dict[str, int]] = json.loads(text)
    return result


def command_line_markdup(ref: Path, r1: Path, r2: Path, workdir: Path, threads: int = 2) -> Path:
    """Align with the minimap2 command line and mark duplicates with samtools: the reference run."""
    require_tools("minimap2", "samtools")
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "cli.bam"
    script = (
        f"set -euo pipefail; minimap2 -ax sr -t {threads} {ref} {r1} {r2} 2>/dev/null"
        f" | samtools fixmate -m -u - - | samtools sort -u -T {workdir / 'sort'} - 2>/dev/null"
        f" | samtools markdup - {out}"
    )
    subprocess.run(["bash", "-c", script], check=True)
    return out


def only_chr20_upstream_bam(target: Path) -> tuple[Path, Path]:
    """The upstream (bwa) BAM of dataset 1 reduced to the reference's one contig, and its index.

    The shipped file's header lists every hg19 contig and has no @HD line; reads whose mate lies
    on another contig are dropped so the file is valid with chr20 alone.
    """
    require_tools("samtools")
    source = data_file(UPSTREAM_BAM)
    script = (
        "set -euo pipefail; (printf '@HD\\tVN:1.6\\tSO:coordinate\\n';"
        f" samtools view -h --no-PG {source} | grep -v -P '^@SQ\\tSN:(?!chr20\\t)'"
        " | awk -F'\\t' '/^@/ || $7==\"=\" || $7==\"*\"')"
        f" | samtools view --no-PG -b -o {target} - && samtools index {target} {target}.bai"
    )
    subprocess.run(["bash", "-c", script], check=True)
    return target, Path(f"{target}.bai")
