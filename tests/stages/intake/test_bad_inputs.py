"""Bad inputs through ``bp2 stage run intake``: exit code 3, a located message with a fix, and no
output.  One test per bad input named in the intake issue, plus one with several at once."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from tests.stages.intake.cases import (
    Reference,
    no_outputs,
    reads,
    run_cli,
    write_bam,
    write_case,
    write_fastq,
    write_pair,
    write_reference,
)
from tests.testdata import data_file

HG19 = "grch37_chr20_NA12878_deepvariant/reference/ucsc.hg19.chr20.unittest.fasta.gz"
D1_R = "grch37_chr20_NA12878_deepvariant/derived/NA12878_S1.chr20.10_10p1mb_R{}.fastq.gz"
TRIO = "grch37_chr20_trio_deeptrio"
TRUTH_VCF = (f"{TRIO}/truth/HG001_chr20_GRCh37_GIAB_highconf_CG-IllFB-IllGATKHC-Ion-10X-"
             "SOLID_CHROM1-X_v.3.3.2_highconf_PGandRTGphasetransfer.vcf.gz")
PROBAND = ["F\tP1\t0\t0\t2\t2"]


def hg19() -> tuple[Path, Path, Path]:
    return data_file(HG19), data_file(HG19 + ".fai"), data_file(HG19 + ".gzi")


@pytest.fixture
def custom_ref(tmp_path: Path) -> Reference:
    folder = tmp_path / "ref"
    folder.mkdir()
    return write_reference(folder, {"ctgA": 2000})


def refused(bp2_exe: str, inputs: Path, tmp_path: Path, *words: str) -> str:
    outdir = tmp_path / "out"
    code, message = run_cli(bp2_exe, inputs, outdir)
    assert code == 3, message
    assert "input error" in message and "fix:" in message, message
    for word in words:
        assert word in message, f"{word!r} not in: {message}"
    assert no_outputs(outdir), sorted(outdir.rglob("*"))
    return message


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-102", "SRS-111")
def test_truncated_gzip_fastq(bp2_exe: str, tmp_path: Path, custom_ref: Reference) -> None:
    """It refuses a real FASTQ.gz with its last 1 % cut off, naming the file and last line read."""
    r1, r2 = tmp_path / "P1_R1.fastq.gz", tmp_path / "P1_R2.fastq.gz"
    data = data_file(D1_R.format(1)).read_bytes()
    r1.write_bytes(data[: len(data) * 99 // 100])
    shutil.copyfile(data_file(D1_R.format(2)), r2)
    inputs = write_case(tmp_path, [{"sample": "P1", "sex": "female", "fastq_1": r1,
                                    "fastq_2": r2}], PROBAND, custom_ref)
    message = refused(bp2_exe, inputs, tmp_path, f"{r1}:", "truncated",
                      "the last complete line read is line", "reads[0].fastq_1", "copy it again")
    assert "different numbers of reads" not in message  # the truncation is the one finding


@pytest.mark.verifies("SRS-104")
def test_r1_r2_count_mismatch(bp2_exe: str, tmp_path: Path, custom_ref: Reference) -> None:
    """It refuses a pair whose R2 lacks the last record, giving both counts."""
    records = reads(10)
    r1 = write_fastq(tmp_path / "P1_R1.fastq.gz", records, suffix="/1")
    r2 = write_fastq(tmp_path / "P1_R2.fastq.gz", records[:9], suffix="/2")
    inputs = write_case(tmp_path, [{"sample": "P1", "sex": "female", "fastq_1": r1,
                                    "fastq_2": r2}], PROBAND, custom_ref)
    refused(bp2_exe, inputs, tmp_path, str(r2), "reads[0].fastq_2",
            "10 in fastq_1, 9 in fastq_2", "same read pairs")


@pytest.mark.verifies("SRS-103")
def test_non_acgtn_bases(bp2_exe: str, tmp_path: Path, custom_ref: Reference) -> None:
    """It refuses a FASTQ with a base outside ACGTN, naming the record and line."""
    records = reads(5)
    name, seq, qual = records[2]
    records[2] = (name, seq[:7] + "X" + seq[8:], qual)
    r1 = write_fastq(tmp_path / "P1_R1.fastq.gz", records, suffix="/1")
    r2 = write_fastq(tmp_path / "P1_R2.fastq.gz", reads(5), suffix="/2")
    inputs = write_case(tmp_path, [{"sample": "P1", "sex": "female", "fastq_1": r1,
                                    "fastq_2": r2}], PROBAND, custom_ref)
    refused(bp2_exe, inputs, tmp_path, f"{r1}:10", "record 3", "invalid base 'X' at position 8",
            "A, C, G, T or N")


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-109")
def test_bam_of_another_build(bp2_exe: str, tmp_path: Path) -> None:
    """It refuses dataset 2's hs37d5 BAM ('20') against the hg19 'chr20' reference, naming both."""
    bam = data_file(f"{TRIO}/reads/HG001.chr20.10_10p1mb_sorted.bam")
    inputs = write_case(tmp_path, [{"sample": "HG001", "sex": "female", "bam": bam,
                                    "bam_index": data_file(f"{TRIO}/reads/"
                                                           "HG001.chr20.10_10p1mb_sorted.bam.bai")}],
                        ["F\tHG001\t0\t0\t2\t2"], hg19())
    refused(bp2_exe, inputs, tmp_path, str(bam), "reads[0].bam", "another genome build",
            "b37 or hs37d5 naming ('20')", "UCSC hg19 naming ('chr20')",
            "'20' here, 'chr20' in the reference", "never renamed")


@pytest.mark.verifies("SRS-100")
def test_ped_naming_an_unknown_sample(bp2_exe: str, tmp_path: Path,
                                      custom_ref: Reference) -> None:
    """It refuses a PED whose individual has no samplesheet row, naming the PED line."""
    r1, r2 = write_pair(tmp_path, "P1", 5)
    inputs = write_case(tmp_path, [{"sample": "P1", "sex": "female", "fastq_1": r1,
                                    "fastq_2": r2}], [*PROBAND, "F\tGHOST\t0\t0\t1\t1"],
                        custom_ref)
    refused(bp2_exe, inputs, tmp_path, f"{tmp_path / 'case.ped'}:2",
            "PED individual 'GHOST' has no row in the samplesheet", "field 'individual'")


@pytest.mark.verifies("SRS-105")
def test_sample_with_zero_reads(bp2_exe: str, tmp_path: Path, custom_ref: Reference) -> None:
    """It refuses a sample whose FASTQ pair holds no reads."""
    r1, r2 = tmp_path / "P1_R1.fastq.gz", tmp_path / "P1_R2.fastq.gz"
    for path in (r1, r2):
        path.write_bytes(gzip.compress(b"", mtime=0))
    inputs = write_case(tmp_path, [{"sample": "P1", "sex": "female", "fastq_1": r1,
                                    "fastq_2": r2}], PROBAND, custom_ref)
    refused(bp2_exe, inputs, tmp_path, str(r1), "sample 'P1' has 0 read pairs",
            "hold no reads", "reads[0].fastq_1")


@pytest.mark.verifies("SRS-107")
def test_missing_fai(bp2_exe: str, tmp_path: Path, custom_ref: Reference) -> None:
    """It refuses a reference whose .fai does not exist, naming the field and the path."""
    r1, r2 = write_pair(tmp_path, "P1", 5)
    custom_ref.fai.unlink()
    inputs = write_case(tmp_path, [{"sample": "P1", "sex": "female", "fastq_1": r1,
                                    "fastq_2": r2}], PROBAND, custom_ref)
    refused(bp2_exe, inputs, tmp_path, str(custom_ref.fai), "reference_index", "not found")


@pytest.mark.verifies("SRS-109")
def test_reference_without_the_reads_contigs(bp2_exe: str, tmp_path: Path,
                                             custom_ref: Reference) -> None:
    """It refuses a BAM whose reads lie on a contig the reference does not hold."""
    bam, bai = write_bam(tmp_path / "P1.bam", {"ctgA": 2000, "ctgB": 3000}, {"ctgB": 5})
    inputs = write_case(tmp_path, [{"sample": "P1", "sex": "female", "bam": bam,
                                    "bam_index": bai}], PROBAND, custom_ref)
    refused(bp2_exe, inputs, tmp_path, str(bam), "reads[0].bam",
            "none of the contigs it has data on is in the reference ('ctgB')",
            "unrecognised (custom)")


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-110")
def test_resource_with_the_wrong_contig_naming(bp2_exe: str, tmp_path: Path) -> None:
    """It refuses a VCF resource named '20' against the hg19 'chr20' reference, naming both."""
    r1, r2 = write_pair(tmp_path, "P1", 5)
    vcf = data_file(TRUTH_VCF)
    inputs = write_case(tmp_path, [{"sample": "P1", "sex": "female", "fastq_1": r1,
                                    "fastq_2": r2}], PROBAND, hg19(),
                        resources=[{"name": "population_af", "path": str(vcf),
                                    "index": str(data_file(TRUTH_VCF + ".tbi"))}])
    refused(bp2_exe, inputs, tmp_path, str(vcf), "resources[0].path",
            "resource 'population_af'", "b37 or hs37d5 naming ('20')",
            "UCSC hg19 naming ('chr20')")


@pytest.mark.verifies("SRS-111", "SRS-104", "SRS-106")
def test_several_problems_are_reported_at_once(bp2_exe: str, tmp_path: Path,
                                               custom_ref: Reference) -> None:
    """It lists every problem of a case in one refusal: PED, md5 and pairing together."""
    p1 = write_pair(tmp_path, "P1", 6)
    m1 = write_pair(tmp_path, "M1", 6, seed=2)
    inputs = write_case(
        tmp_path,
        [{"sample": "P1", "sex": "female", "fastq_1": p1[0], "fastq_2": m1[1],
          "md5_1": "0" * 32},
         {"sample": "M1", "sex": "male", "fastq_1": m1[0], "fastq_2": m1[1]}],
        ["F\tP1\t0\tM1\t2\t2", "F\tM1\t0\t0\t2\t1"], custom_ref)
    refused(bp2_exe, inputs, tmp_path, "problems in the inputs",
            "sample 'M1' is male in the samplesheet but female in the PED",
            "not the samplesheet's 00000000000000000000000000000000",
            "does not pair with fastq_1: read 1 is 'M1_0' in fastq_2 but 'P1_0' in fastq_1",
            "has the same content as")
