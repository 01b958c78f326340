"""The bare Debian chain bp2 is compared with: ``minimap2 -ax sr | samtools sort`` then
``bcftools mpileup -f REF | bcftools call -mv`` with every tool's defaults.

It is the comparator of the validation protocols (bp2's FP + FN must not exceed the bare chain's
on the same reads) and of ``benchmarks/call_bench.py``.  Each command streams; nothing is
written under its final name until the tool finished (samtools/bcftools write to a temporary
name that is renamed).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bp2.errors import EnvironmentProblem, InputError
from bp2.fileio import atomic_path

IMPLEMENTS = ("SRS-334",)

TOOLS = ("minimap2", "samtools", "bcftools")
_INSTALL = "apt-get install minimap2 samtools bcftools"


@dataclass
class BareChainRun:
    """What the bare chain produced, how long each step took and with which tool versions."""

    vcf: Path
    bams: dict[str, Path]
    align_s: float
    call_s: float
    versions: dict[str, str] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)

    @property
    def total_s(self) -> float:
        return self.align_s + self.call_s


def require_tools() -> None:
    for tool in TOOLS:
        if shutil.which(tool) is None:
            raise EnvironmentProblem.tool_missing(tool, _INSTALL)


def versions() -> dict[str, str]:
    """Versions of the three tools as they report them."""
    require_tools()
    out: dict[str, str] = {}
    mm2 = subprocess.run(["minimap2", "--version"], capture_output=True, text=True,
                         errors="replace", check=False)
    out["minimap2"] = mm2.stdout.strip()
    for tool in ("samtools", "bcftools"):
        done = subprocess.run([tool, "--version"], capture_output=True, text=True,
                              errors="replace", check=False)
        first = done.stdout.splitlines()[0] if done.stdout else ""
        out[tool] = first.split()[-1] if first else "unknown"
    return out


def _bash(script: str, what: str) -> None:
    done = subprocess.run(["bash", "-c", f"set -euo pipefail; {script}"], capture_output=True,
                          text=True, errors="replace", check=False)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-5:]
        raise InputError(f"the bare chain failed while {what} (exit {done.returncode}): "
                         + " | ".join(tail), hint="check the reads and the reference named "
                         "in the command: " + script[:300])


def align_command(r1: Path, r2: Path, reference: Path, out: Path, sample: str,
                  threads: int) -> str:
    group = f"@RG\\tID:{sample}\\tSM:{sample}"
    q = shlex.quote
    return (f"minimap2 -ax sr -t {threads} -R {q(group)} {q(str(reference))} {q(str(r1))} "
            f"{q(str(r2))} 2>/dev/null | samtools sort --no-PG -@ {threads} -o {q(str(out))} - "
            f"2>/dev/null && samtools index {q(str(out))}")


def align(r1: Path, r2: Path, reference: Path, out: Path, sample: str, threads: int = 2
          ) -> Path:
    """minimap2 -ax sr with a read group, sorted and indexed by samtools; returns the BAM."""
    require_tools()
    with atomic_path(out) as tmp:
        _bash(align_command(r1, r2, reference, tmp, sample, threads), f"aligning {sample}")
        Path(f"{tmp}.bai").replace(f"{out}.bai")
    return out


def call_command(reference: Path, bams: Sequence[Path], out: Path) -> str:
    q = shlex.quote
    listed = " ".join(q(str(b)) for b in bams)
    return (f"bcftools mpileup -f {q(str(reference))} {listed} 2>/dev/null | "
            f"bcftools call -mv -Oz -o {q(str(out))} 2>/dev/null && "
            f"bcftools index -t {q(str(out))}")


def call(reference: Path, bams: Sequence[Path], out: Path) -> Path:
    """bcftools mpileup | bcftools call -mv (defaults), bgzipped and indexed; returns the VCF."""
    require_tools()
    with atomic_path(out) as tmp:
        _bash(call_command(reference, bams, tmp), "calling")
        Path(f"{tmp}.tbi").replace(f"{out}.tbi")
    return out


def run(reads: dict[str, tuple[Path, Path]], reference: Path, workdir: Path,
        threads: int = 2) -> BareChainRun:
    """Align each sample's reads and call them jointly, as a user of the bare tools would."""
    workdir.mkdir(parents=True, exist_ok=True)
    bams: dict[str, Path] = {}
    commands: list[str] = []
    t0 = time.perf_counter()
    for sample, (r1, r2) in reads.items():
        bam = workdir / f"{sample}.bare.bam"
        commands.append(align_command(r1, r2, reference, bam, sample, threads))
        bams[sample] = align(r1, r2, reference, bam, sample, threads)
    t1 = time.perf_counter()
    vcf = workdir / "bare.vcf.gz"
    commands.append(call_command(reference, list(bams.values()), vcf))
    call(reference, list(bams.values()), vcf)
    t2 = time.perf_counter()
    return BareChainRun(vcf=vcf, bams=bams, align_s=round(t1 - t0, 3),
                        call_s=round(t2 - t1, 3), versions=versions(), commands=commands)
