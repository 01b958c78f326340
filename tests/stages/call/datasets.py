"""Real public test data for the ``call`` stage, each file checked against the manifest sha256."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bp2.benchmark.compare import Comparison, Fetch, Regions, compare_files, reference_fetch
from bp2.case import Sex
from bp2.stages.call import CallInputs, SampleAlignment
from tests.testdata import data_file

DS1 = "grch37_chr20_NA12878_deepvariant"
TRIO = "grch37_chr20_trio_deeptrio"
DS11 = "grch37_chr20_semireal_NA12878"
HG19 = f"{DS1}/reference/ucsc.hg19.chr20.unittest.fasta.gz"
HS37 = f"{TRIO}/reference/hs37d5.chr20.fa.gz"
DS1_BAM = f"{DS1}/reads/NA12878_S1.chr20.10_10p1mb.bam"
DS1_TRUTH = f"{DS1}/truth/test_nist.b37_chr20_100kbp_at_10mb.vcf.gz"
DS1_BED = f"{DS1}/truth/test_nist.b37_chr20_100kbp_at_10mb.bed"
TRIO_TRUTH = (f"{TRIO}/truth/HG001_chr20_GRCh37_GIAB_highconf_CG-IllFB-IllGATKHC-Ion-10X-SOLID_"
              "CHROM1-X_v.3.3.2_highconf_PGandRTGphasetransfer.vcf.gz")
TRIO_BED = f"{TRIO}/truth/test_giab.b37_chr20_100kbp_at_10mb.bed"
TRIO_WINDOW = Regions.from_intervals([("20", 9_999_999, 10_010_000)])
TRIO_SAMPLES = (("HG001", Sex.FEMALE), ("NA12891", Sex.MALE), ("NA12892", Sex.FEMALE))


def reference(rel: str) -> dict[str, Path]:
    return {"reference": data_file(rel), "reference_index": data_file(rel + ".fai"),
            "reference_gzi": data_file(rel + ".gzi")}


def ds1_inputs(**extra: object) -> CallInputs:
    sample = SampleAlignment(sample="NA12878", sex=Sex.FEMALE, bam=data_file(DS1_BAM),
                             bam_index=data_file(DS1_BAM + ".bai"))
    return CallInputs.model_validate({"samples": [sample], **reference(HG19), "build": "GRCh37",
                                      **extra})


def trio_inputs(**extra: object) -> CallInputs:
    samples = [SampleAlignment(sample=name, sex=sex,
                               bam=data_file(f"{TRIO}/reads/{name}.chr20.10_10p1mb_sorted.bam"),
                               bam_index=data_file(
                                   f"{TRIO}/reads/{name}.chr20.10_10p1mb_sorted.bam.bai"))
               for name, sex in TRIO_SAMPLES]
    return CallInputs.model_validate({"samples": samples, **reference(HS37), "build": "GRCh37",
                                      **extra})


def fetch_for(rel: str) -> Fetch:
    ref = reference(rel)
    return reference_fetch(ref["reference"], ref["reference_index"], ref["reference_gzi"])


def score_ds1(vcf: Path, sample: str | None = "NA12878") -> Comparison:
    return compare_files(data_file(DS1_TRUTH), vcf, data_file(DS1_BED), query_sample=sample,
                         fetch=fetch_for(HG19))


def score_trio(vcf: Path, sample: str | None = "HG001") -> Comparison:
    return compare_files(data_file(TRIO_TRUTH), vcf, data_file(TRIO_BED), query_sample=sample,
                         window=TRIO_WINDOW, fetch=fetch_for(HS37),
                         truth_index=data_file(TRIO_TRUTH + ".tbi"))


def align_ds11(workdir: Path) -> tuple[Path, Path]:
    """Dataset 11 aligned with Debian's minimap2 -ax sr and samtools sort (the test's fixture)."""
    for tool in ("minimap2", "samtools"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt-get install {tool})")
    ref = data_file(HG19)
    r1, r2 = data_file(f"{DS11}/reads_R1.fastq.gz"), data_file(f"{DS11}/reads_R2.fastq.gz")
    bam = workdir / "NA12878.ds11.bam"
    script = (f"set -euo pipefail; minimap2 -ax sr -t 2 -R '@RG\\tID:NA12878\\tSM:NA12878' "
              f"{ref} {r1} {r2} 2>/dev/null | samtools sort --no-PG -@ 2 -o {bam} - 2>/dev/null"
              f" && samtools index {bam}")
    subprocess.run(["bash", "-c", script], check=True)
    return bam, Path(f"{bam}.bai")
