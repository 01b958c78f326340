"""The align stage end to end on real reads (dataset 1), in process and via ``bp2 stage run``."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pysam
import pytest

from bp2.case import CaseInputs, parse_pedigree, parse_samplesheet
from bp2.engine.execute import execute_unit
from bp2.errors import InputError
from bp2.fileio import sha256_file
from bp2.resources import FileRef, Resource, Resources
from bp2.stages.align import AlignInputs, AlignOutputs, AlignParams, AlignStage
from bp2.stages.align.fastq import Chunk
from bp2.stages.align.mapping import stream_sam
from bp2.stages.base import BindContext
from tests.stages.align import answer_key
from tests.stages.align.data import (
    DS2_BAM,
    SAMPLE,
    UPSTREAM_BAM,
    fastq_files,
    fastq_inputs,
    only_chr20_upstream_bam,
    reference_files,
    require_tools,
    subset_fastq,
)
from tests.testdata import data_file

PAIRS = 3000
STAGE = AlignStage()


def run(inputs: AlignInputs, outdir: Path, threads: int = 2, **params: object) -> AlignOutputs:
    outputs, _ = execute_unit(STAGE, inputs, AlignParams.model_validate(params), outdir,
                              unit=inputs.sample, threads=threads)
    assert isinstance(outputs, AlignOutputs)
    return outputs


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The first 3,000 read pairs of dataset 1."""
    require_tools("samtools")
    folder = tmp_path_factory.mktemp("subset")
    r1, r2 = fastq_files()
    return (subset_fastq(r1, folder / "sub_R1.fastq.gz", PAIRS),
            subset_fastq(r2, folder / "sub_R2.fastq.gz", PAIRS))


@pytest.fixture(scope="module")
def aligned(subset: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> AlignOutputs:
    return run(fastq_inputs(*subset), tmp_path_factory.mktemp("aligned"))


@pytest.fixture(scope="module")
def upstream_chr20(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return only_chr20_upstream_bam(tmp_path_factory.mktemp("upstream") / "upstream.bam")


def bam_inputs(bam: Path, index: Path, sample: str = SAMPLE) -> AlignInputs:
    ref, fai, gzi = reference_files()
    return AlignInputs(sample=sample, reference=ref, reference_index=fai, reference_gzi=gzi,
                       bam=bam, bam_index=index)


def records(path: Path) -> list[str]:
    """Core SAM fields (1-11) of every record, in file order."""
    ref = reference_files()[0]
    with pysam.AlignmentFile(str(path), reference_filename=str(ref)) as handle:
        return ["\t".join(r.to_string().split("\t")[:11]) for r in handle.fetch(until_eof=True)]


# -- answer key ----------------------------------------------------------------------------------


@pytest.mark.verifies("SRS-122", "SRS-123", "SRS-131")
def test_answer_key_dataset_1(tmp_path: Path) -> None:
    """It marks as many duplicates as samtools markdup (±0.5 %) and places reads like bwa did."""
    key = answer_key.ANSWER_KEY
    inputs, params = key.build(tmp_path / "inputs")
    outputs, provenance = execute_unit(STAGE, inputs, params, tmp_path / "out", unit=SAMPLE,
                                       threads=2)
    key.check(outputs)
    assert isinstance(outputs, AlignOutputs) and outputs.bam is not None
    metrics = json.loads(outputs.metrics.read_text())
    assert metrics["primary_reads"] == 2 * 25_839  # every read of the 25,839 pairs is kept
    assert metrics["primary_duplicates"] == answer_key.duplicate_count(outputs.bam)
    assert key.normalise(outputs) == key.normalise(outputs)
    assert set(provenance.tools) == {"mappy", "samtools", "pysam", "htslib"}


# -- outputs ---------------------------------------------------------------------------------------


@pytest.mark.verifies("SRS-121", "SRS-122")
def test_sorted_indexed_marked_with_read_group(aligned: AlignOutputs) -> None:
    """It writes a coordinate-sorted, indexed BAM whose every record carries the read group."""
    assert aligned.bam is not None and aligned.bam_index is not None and aligned.cram is None
    assert aligned.bam.name == "NA12878.bam" and aligned.bam_index.name == "NA12878.bam.bai"
    with pysam.AlignmentFile(str(aligned.bam), index_filename=str(aligned.bam_index)) as bam:
        header = bam.header.to_dict()
        assert header["HD"]["SO"] == "coordinate"
        assert header["RG"] == [{"ID": SAMPLE, "SM": SAMPLE, "PL": "ILLUMINA", "LB": SAMPLE}]
        assert [pg["ID"] for pg in header["PG"]] == ["bp2-align"]
        reads = list(bam.fetch(until_eof=True))
        assert len(reads) >= 2 * PAIRS
        assert all(r.get_tag("RG") == SAMPLE for r in reads)
        keys = [(r.reference_id if r.reference_id >= 0 else 1 << 30, r.reference_start)
                for r in reads]
        assert keys == sorted(keys)
        mapped = [r for r in reads if not (r.is_unmapped or r.mate_is_unmapped
                                           or r.is_supplementary)]
        assert all(r.has_tag("MC") and r.has_tag("ms") for r in mapped)  # fixmate -m ran
        # the index answers a region query with the same reads as a scan
        in_region = [r for r in reads if r.reference_name == "chr20"  # placed unmapped: 1 bp
                     and r.reference_start < 10_050_000
                     and (r.reference_end or r.reference_start + 1) > 10_000_000]
        assert bam.count("chr20", 10_000_000, 10_050_000) == len(in_region)
    metrics = json.loads(aligned.metrics.read_text())
    assert metrics["source"] == "fastq" and metrics["primary_reads"] == 2 * PAIRS
    assert metrics["duplicates"] == sum(1 for r in reads if r.is_duplicate)


@pytest.mark.verifies("SRS-125")
def test_same_bytes_whatever_threads_or_folder(
    subset: tuple[Path, Path], aligned: AlignOutputs, tmp_path: Path
) -> None:
    """It writes byte-identical BAM, index and metrics with 1 thread in another folder."""
    again = run(fastq_inputs(*subset), tmp_path / "elsewhere" / "out", threads=1)
    for first, second in ((aligned.bam, again.bam), (aligned.bam_index, again.bam_index),
                          (aligned.metrics, again.metrics)):
        assert first is not None and second is not None
        assert sha256_file(first) == sha256_file(second)
    assert aligned.bam is not None
    header = str(pysam.AlignmentFile(str(aligned.bam)).header)
    assert str(aligned.bam.parent) not in header and "/" not in header


@pytest.mark.verifies("SRS-126", "SRS-125")
def test_cram_records_reference(
    subset: tuple[Path, Path], aligned: AlignOutputs, tmp_path: Path
) -> None:
    """It writes CRAM with M5/UR naming the reference, a .crai, the same reads, and stable bytes."""
    one = run(fastq_inputs(*subset), tmp_path / "a", output_format="cram")
    two = run(fastq_inputs(*subset), tmp_path / "b" / "c", threads=1, output_format="cram")
    assert one.bam is None and one.cram is not None and one.cram_index is not None
    assert one.cram.name == "NA12878.cram" and one.cram_index.name == "NA12878.cram.crai"
    assert one.alignments == one.cram and one.alignments_index == one.cram_index
    assert two.cram is not None and sha256_file(one.cram) == sha256_file(two.cram)
    with pysam.AlignmentFile(str(one.cram), reference_filename=str(reference_files()[0])) as f:
        sq = f.header.to_dict()["SQ"]
    # M5 of the upper-case chr20 sequence: computed here independently with pysam + hashlib
    import hashlib

    ref, fai, gzi = reference_files()
    with pysam.FastaFile(str(ref), filepath_index=str(fai),
                         filepath_index_compressed=str(gzi)) as fasta:
        expected = hashlib.md5(fasta.fetch("chr20").upper().encode()).hexdigest()
    assert sq == [{"SN": "chr20", "LN": 63025520, "M5": expected, "UR": ref.name}]
    assert aligned.bam is not None
    assert records(one.cram) == records(aligned.bam)


@pytest.mark.verifies("SRS-124")
def test_batches_in_flight_are_bounded() -> None:
    """It keeps at most the pool's in-flight number of batches queued, writing them in order."""

    class LazyPool:
        in_flight = 3

        def __init__(self) -> None:
            self.unresolved: list[Future[bytes]] = []
            self.most = 0

        def submit(self, chunk: Chunk) -> Future[bytes]:
            future: Future[bytes] = Future()
            future.set_result(f"{chunk.first_pair}\n".encode())
            self.unresolved.append(future)
            self.most = max(self.most, len(self.unresolved))
            return future

    class Sink:
        def __init__(self, pool: LazyPool) -> None:
            self.pool, self.data = pool, b""

        def write(self, data: bytes) -> int:
            self.pool.unresolved.pop(0)
            self.data += data
            return len(data)

    def lines(n: int) -> Iterator[str]:
        for i in range(n):
            yield from (f"@r{i}\n", "A\n", "+\n", "I\n")

    pool = LazyPool()
    sink = Sink(pool)
    count = stream_sam(lines(25), lines(25), pool, sink, batch_pairs=2)  # type: ignore[arg-type]
    assert count == 25 and pool.most == 3
    assert sink.data.decode().split() == [str(i) for i in range(0, 25, 2)]


# -- aligned input ---------------------------------------------------------------------------------


@pytest.mark.verifies("SRS-127", "SRS-131")
def test_aligned_bam_of_same_reference_is_used_as_is(
    upstream_chr20: tuple[Path, Path], tmp_path: Path
) -> None:
    """It outputs a BAM aligned to the same reference unchanged, with its index and metrics."""
    bam, index = upstream_chr20
    outputs = run(bam_inputs(bam, index), tmp_path / "out")
    assert outputs.bam is not None and outputs.bam_index is not None
    assert sha256_file(outputs.bam) == sha256_file(bam)
    assert sha256_file(outputs.bam_index) == sha256_file(index)
    metrics = json.loads(outputs.metrics.read_text())
    with pysam.AlignmentFile(str(bam)) as handle:
        total = sum(1 for _ in handle.fetch(until_eof=True))
    assert metrics["source"] == "bam" and metrics["records"] == total and metrics["markdup"] is None


@pytest.mark.verifies("SRS-127")
def test_aligned_cram_is_used_as_is(upstream_chr20: tuple[Path, Path], tmp_path: Path) -> None:
    """It outputs an aligned CRAM of the same reference unchanged, as cram and cram_index."""
    ref = reference_files()[0]
    cram = tmp_path / "in.cram"
    subprocess.run(["samtools", "view", "--no-PG", "-C", "-T", str(ref), "-o", str(cram),
                    str(upstream_chr20[0])], check=True)
    subprocess.run(["samtools", "index", str(cram), str(tmp_path / "in.crai")], check=True)
    outputs = run(bam_inputs(cram, tmp_path / "in.crai"), tmp_path / "out")
    assert outputs.bam is None and outputs.cram is not None and outputs.cram_index is not None
    assert outputs.cram.name == "NA12878.cram" and outputs.cram_index.name == "NA12878.cram.crai"
    assert sha256_file(outputs.cram) == sha256_file(cram)
    total = len(records(upstream_chr20[0]))  # decoding the output needs the reference: it works
    assert len(records(outputs.cram)) == total
    assert json.loads(outputs.metrics.read_text())["records"] == total


@pytest.mark.verifies("SRS-128")
def test_bam_of_another_build_is_refused(tmp_path: Path) -> None:
    """It refuses a BAM aligned to hs37d5 ('20') for an hg19 ('chr20') reference, naming both."""
    bam = data_file(DS2_BAM)
    with pytest.raises(InputError) as info:
        run(bam_inputs(bam, data_file(DS2_BAM + ".bai"), "HG001"), tmp_path / "out")
    message = str(info.value)
    assert "aligned to another reference" in message
    assert "'1' which the reference lacks" in message  # first contig of the hs37d5 header
    assert bam.name in message and "ucsc.hg19.chr20.unittest.fasta.gz" in message
    assert "chr20:63025520" in message and "1:249250621" in message
    assert not list((tmp_path / "out").glob("*.bam"))


@pytest.mark.verifies("SRS-128")
def test_bam_with_other_contigs_is_refused(tmp_path: Path) -> None:
    """It refuses the upstream BAM, whose header lists every hg19 contig, against chr20 alone."""
    with pytest.raises(InputError, match="has contig 'chrM' which the reference lacks"):
        run(bam_inputs(data_file(UPSTREAM_BAM), data_file(UPSTREAM_BAM + ".bai")),
            tmp_path / "out")


@pytest.mark.verifies("SRS-129")
def test_bam_of_another_sample_is_refused(
    upstream_chr20: tuple[Path, Path], tmp_path: Path
) -> None:
    """It refuses a BAM whose read group names another sample (a possible swap)."""
    with pytest.raises(InputError, match=r"belong to sample\(s\) NA12878, not 'HG002'"):
        run(bam_inputs(*upstream_chr20, sample="HG002"), tmp_path / "out")


@pytest.mark.verifies("SRS-129")
def test_unsorted_bam_is_refused(upstream_chr20: tuple[Path, Path], tmp_path: Path) -> None:
    """It refuses a BAM whose header does not say it is coordinate-sorted."""
    bam, index = upstream_chr20
    unsorted = tmp_path / "unsorted.bam"
    header = str(pysam.AlignmentFile(str(bam)).header).replace("SO:coordinate", "SO:unsorted")
    (tmp_path / "h.sam").write_text(header)
    with unsorted.open("wb") as out:
        subprocess.run(["samtools", "reheader", "--no-PG", str(tmp_path / "h.sam"), str(bam)],
                       check=True, stdout=out)
    shutil.copyfile(index, tmp_path / "unsorted.bam.bai")
    with pytest.raises(InputError, match="not coordinate-sorted"):
        run(bam_inputs(unsorted, tmp_path / "unsorted.bam.bai"), tmp_path / "out")


@pytest.mark.verifies("SRS-129")
def test_foreign_index_is_refused(
    upstream_chr20: tuple[Path, Path], aligned: AlignOutputs, tmp_path: Path
) -> None:
    """It refuses a BAM given with the index of another file."""
    assert aligned.bam_index is not None
    with pytest.raises(InputError, match=r"the index counts \d+ records but the file holds"):
        run(bam_inputs(upstream_chr20[0], aligned.bam_index), tmp_path / "out")


# -- reference -------------------------------------------------------------------------------------


@pytest.mark.verifies("SRS-134")
def test_index_of_another_fasta_is_refused(subset: tuple[Path, Path], tmp_path: Path) -> None:
    """It refuses a .fai whose contig is longer than the FASTA holds, naming the index."""
    ref, fai, gzi = reference_files()
    bad = tmp_path / "bad.fai"
    name, length, *rest = fai.read_text().split("\t")
    bad.write_text("\t".join([name, str(int(length) + 1000), *rest]))
    inputs = AlignInputs(sample=SAMPLE, reference=ref, reference_index=bad, reference_gzi=gzi,
                         fastq_1=subset[0], fastq_2=subset[1])
    with pytest.raises(InputError, match="bases but the index says 63026520") as info:
        run(inputs, tmp_path / "out")
    assert info.value.path == str(bad)


@pytest.mark.verifies("SRS-134")
def test_compressed_reference_needs_gzi(subset: tuple[Path, Path], tmp_path: Path) -> None:
    """It refuses a bgzip reference given without its .gzi."""
    ref, fai, _ = reference_files()
    inputs = AlignInputs(sample=SAMPLE, reference=ref, reference_index=fai,
                         fastq_1=subset[0], fastq_2=subset[1])
    with pytest.raises(InputError, match=r"needs its \.gzi index"):
        run(inputs, tmp_path / "out")


# -- bind ------------------------------------------------------------------------------------------


@pytest.mark.verifies("SRS-133")
def test_bind_names_every_file(tmp_path: Path) -> None:
    """It binds a FASTQ sample and a BAM sample with the reference and each companion named."""
    ref, fai, gzi = reference_files()
    sheet = tmp_path / "samplesheet.csv"
    sheet.write_text("sample,sex,fastq_1,fastq_2,bam,bam_index\n"
                     "A,female,a_1.fq.gz,a_2.fq.gz,,\nB,male,,,b.bam,b.bam.bai\n")
    ped = tmp_path / "case.ped"
    ped.write_text("F A 0 0 2 2\nF B 0 0 1 1\n")
    resources = Resources(reference=Resource(
        path=ref, sha256="0" * 64, build="GRCh37", version="hg19",
        index=FileRef(path=fai, sha256="0" * 64), gzi=FileRef(path=gzi, sha256="0" * 64)))
    case = CaseInputs(samplesheet=parse_samplesheet(sheet.read_text(), sheet),
                      pedigree=parse_pedigree(ped.read_text(), ped), resources=resources)
    ctx = BindContext(case=case, upstream={})
    a, b = STAGE.bind(ctx, "A"), STAGE.bind(ctx, "B")
    assert (a.fastq_1, a.fastq_2, a.bam) == (tmp_path / "a_1.fq.gz", tmp_path / "a_2.fq.gz", None)
    assert (b.bam, b.bam_index, b.fastq_1) == (tmp_path / "b.bam", tmp_path / "b.bam.bai", None)
    assert (a.reference, a.reference_index, a.reference_gzi) == (ref, fai, gzi)


# -- through the command line ----------------------------------------------------------------------


def stage_run(
    bp2_exe: str, inputs: dict[str, str], folder: Path
) -> subprocess.CompletedProcess[str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "inputs.json").write_text(json.dumps(inputs))
    proc = subprocess.run(
        [bp2_exe, "stage", "run", "align", "--inputs", str(folder / "inputs.json"), "--outdir",
         str(folder / "out"), "--threads", "2"], capture_output=True, text=True, check=False)
    proc.stderr = proc.stderr.replace("\n", "")  # the console wraps long messages
    return proc


@pytest.mark.verifies("SRS-133", "SRS-124")
def test_reads_only_named_files(bp2_exe: str, subset: tuple[Path, Path], tmp_path: Path) -> None:
    """It runs from a folder holding only copies of the named files, companions renamed."""
    ref, fai, gzi = reference_files()
    folder = tmp_path / "isolated"
    folder.mkdir()
    # the companions do not sit at <reference>.fai/.gzi: they can only be found by their names
    for source, name in ((ref, "genome.fa.gz"), (fai, "genome-index.fai"),
                         (gzi, "genome-blocks.gzi"), (subset[0], "r1.fq.gz"),
                         (subset[1], "r2.fq.gz")):
        shutil.copyfile(source, folder / name)
    proc = stage_run(bp2_exe, {
        "sample": SAMPLE, "reference": "genome.fa.gz", "reference_index": "genome-index.fai",
        "reference_gzi": "genome-blocks.gzi", "fastq_1": "r1.fq.gz", "fastq_2": "r2.fq.gz",
    }, folder)
    assert proc.returncode == 0, proc.stderr
    produced = sorted(p.name for p in (folder / "out").iterdir())
    assert produced == ["NA12878.align_metrics.json", "NA12878.bam", "NA12878.bam.bai",
                        "outputs.json", "provenance.json"]  # no work folder, no temporary file
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["genome.fa.gz", "genome-index.fai", "genome-blocks.gzi", "r1.fq.gz", "r2.fq.gz",
         "inputs.json", "out"])
    provenance = json.loads((folder / "out" / "provenance.json").read_text())
    assert provenance["outputs"]["bam"]["path"] == "NA12878.bam"


@pytest.mark.verifies("SRS-130")
def test_cli_refuses_out_of_step_pairs(bp2_exe: str, subset: tuple[Path, Path],
                                       tmp_path: Path) -> None:
    """It exits 3 naming the line where the mates' names part, and leaves no BAM."""
    ref, fai, gzi = reference_files()
    with gzip.open(subset[1], "rt") as handle:
        lines = handle.readlines()
    lines[4 * 2500:4 * 2501], lines[4 * 2501:4 * 2502] = (
        lines[4 * 2501:4 * 2502], lines[4 * 2500:4 * 2501])  # swap pairs 2501 and 2502 in R2
    swapped = tmp_path / "swapped_R2.fastq.gz"
    with gzip.open(swapped, "wt") as out:
        out.writelines(lines)
    proc = stage_run(bp2_exe, {"sample": SAMPLE, "reference": str(ref),
                               "reference_index": str(fai), "reference_gzi": str(gzi),
                               "fastq_1": str(subset[0]), "fastq_2": str(swapped)}, tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "read pair 2501 is out of step" in proc.stderr
    assert "swapped_R2.fastq.gz:10001" in proc.stderr
    assert not (tmp_path / "out" / "NA12878.bam").exists()
    assert not list((tmp_path / "out").rglob("*bp2tmp*")) and not (tmp_path / "out/.work").exists()


@pytest.mark.verifies("SRS-130")
def test_cli_refuses_truncated_fastq(bp2_exe: str, subset: tuple[Path, Path],
                                     tmp_path: Path) -> None:
    """It exits 3 naming a gzip FASTQ that was cut short."""
    ref, fai, gzi = reference_files()
    data = subset[0].read_bytes()
    cut = tmp_path / "cut_R1.fastq.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    proc = stage_run(bp2_exe, {"sample": SAMPLE, "reference": str(ref),
                               "reference_index": str(fai), "reference_gzi": str(gzi),
                               "fastq_1": str(cut), "fastq_2": str(subset[1])}, tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "truncated or its compression is corrupt" in proc.stderr
    assert "cut_R1.fastq.gz" in proc.stderr
    assert not (tmp_path / "out" / "NA12878.bam").exists()


@pytest.mark.verifies("SRS-128")
def test_cli_refuses_other_build(bp2_exe: str, tmp_path: Path) -> None:
    """It exits 3 for a BAM of another build, naming both contig sets."""
    ref, fai, gzi = reference_files()
    proc = stage_run(bp2_exe, {"sample": "HG001", "reference": str(ref),
                               "reference_index": str(fai), "reference_gzi": str(gzi),
                               "bam": str(data_file(DS2_BAM)),
                               "bam_index": str(data_file(DS2_BAM + ".bai"))}, tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "aligned to another reference" in proc.stderr
    assert "HG001.chr20.10_10p1mb_sorted.bam" in proc.stderr


@pytest.mark.verifies("SRS-130")
def test_cli_refuses_fastq_and_bam_together(bp2_exe: str, tmp_path: Path) -> None:
    """It exits 3 when the inputs give both FASTQ and a BAM."""
    ref, fai, _ = reference_files()
    r1, r2 = fastq_files()
    proc = stage_run(bp2_exe, {"sample": SAMPLE, "reference": str(ref),
                               "reference_index": str(fai), "fastq_1": str(r1),
                               "fastq_2": str(r2), "bam": str(data_file(UPSTREAM_BAM)),
                               "bam_index": str(data_file(UPSTREAM_BAM + ".bai"))}, tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "give either fastq_1 and fastq_2, or bam and bam_index" in proc.stderr
