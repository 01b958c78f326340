"""run_benchmark on small files: outputs, sample choice and refused inputs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pysam
import pytest

from bp2.benchmark.api import BenchmarkRequest, run_benchmark
from bp2.benchmark.outputs import SUMMARY_COLUMNS
from bp2.errors import InputError

REFERENCE = "GATTACAGGCACACACACAGTTTTTTGCATGCCGTAAGCTTGACCA"


def vcf(path: Path, rows: list[str], sample: str = "S1", contig: str = "c") -> Path:
    header = ["##fileformat=VCFv4.2", f"##contig=<ID={contig},length={len(REFERENCE)}>",
              '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              f"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{sample}"]
    body = [f"{contig}\t{r}" for r in rows]
    path.write_text("\n".join(header + body) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def fasta(tmp_path: Path) -> Path:
    path = tmp_path / "ref.fa"
    path.write_text(f">c\n{REFERENCE}\n", encoding="utf-8")
    pysam.faidx(str(path))
    return path


@pytest.mark.verifies("SRS-310", "SRS-311", "SRS-309")
def test_outputs_written(tmp_path: Path, fasta: Path) -> None:
    """It writes summary.csv (hap.py columns, CIs), extended.csv, annotated VCF + index, JSON."""
    truth = vcf(tmp_path / "t.vcf", ["3\t.\tT\tC\t.\tPASS\t.\tGT\t1/1",
                                     "9\t.\tGCA\tG\t.\tPASS\t.\tGT\t0/1"])
    query = vcf(tmp_path / "q.vcf", ["3\t.\tT\tC\t.\tPASS\t.\tGT\t0/1",
                                     "17\t.\tACA\tA\t.\tPASS\t.\tGT\t0/1"], sample="OTHER")
    bed = tmp_path / "c.bed"
    bed.write_text("c\t0\t46\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = run_benchmark(BenchmarkRequest(truth=truth, query=query, confident=bed,
                                             reference=fasta, strata={"all": bed}), out)
    assert sorted(p.name for p in out.iterdir()) == [
        "annotated.vcf.gz", "annotated.vcf.gz.tbi", "benchmark.json", "extended.csv",
        "summary.csv"]
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == SUMMARY_COLUMNS
    indel = summary.row("INDEL", "PASS")
    assert (indel.truth_tp, indel.query_tp, indel.recall, indel.precision) == (1, 1, 1.0, 1.0)
    snp = summary.row("SNP", "ALL")
    assert (snp.truth_fn, snp.query_fp, snp.fp_gt) == (1, 1, 1)
    assert summary.row("SNP", "ALL", "all").truth_fn == 1
    assert json.loads((out / "benchmark.json").read_text())["query_sample"] == "OTHER"
    with pysam.VariantFile(str(out / "annotated.vcf.gz")) as annotated:
        records = list(annotated.fetch("c"))
    bd = sorted((r.pos, r.samples["TRUTH"]["BD"], r.samples["QUERY"]["BD"]) for r in records)
    assert bd == [(3, ".", "FP"), (3, "FN", "."), (9, "TP", "TP")]
    assert not [p for p in out.iterdir() if ".bp2tmp" in p.name]


@pytest.mark.verifies("SRS-307")
def test_contig_naming_mismatch_is_refused(tmp_path: Path) -> None:
    """It refuses truth 'chr1' against query '1', naming both and the fix, writing nothing."""
    truth = vcf(tmp_path / "t.vcf", ["3\t.\tT\tC\t.\tPASS\t.\tGT\t0/1"], contig="chr1")
    query = vcf(tmp_path / "q.vcf", ["3\t.\tT\tC\t.\tPASS\t.\tGT\t0/1"], contig="1")
    out = tmp_path / "out"
    with pytest.raises(InputError) as err:
        run_benchmark(BenchmarkRequest(truth=truth, query=query), out)
    assert "chr1" in err.value.title and "query has 1" in err.value.title
    assert "rename" in (err.value.hint or "")
    assert not out.exists()


@pytest.mark.verifies("SRS-307")
def test_bed_and_reference_mismatches_are_refused(tmp_path: Path, fasta: Path) -> None:
    """It refuses a BED of other contigs, a REF that contradicts the reference, a bad sample."""
    truth = vcf(tmp_path / "t.vcf", ["3\t.\tG\tC\t.\tPASS\t.\tGT\t0/1"])
    bed = tmp_path / "c.bed"
    bed.write_text("chrc\t0\t46\n", encoding="utf-8")
    with pytest.raises(InputError, match="shares no contig"):
        run_benchmark(BenchmarkRequest(truth=truth, query=truth, confident=bed), tmp_path / "o")
    with pytest.raises(InputError, match="does not match the reference"):
        run_benchmark(BenchmarkRequest(truth=truth, query=truth, reference=fasta),
                      tmp_path / "o")
    with pytest.raises(InputError, match="not in the VCF"):
        run_benchmark(BenchmarkRequest(truth=truth, query=truth, query_sample="NOPE"),
                      tmp_path / "o")


@pytest.mark.verifies("SRS-306")
def test_undecidable_without_reference_is_counted(tmp_path: Path) -> None:
    """It counts a shifted indel it cannot resolve without reference as undecidable, not FN/FP."""
    truth = vcf(tmp_path / "t.vcf", ["9\t.\tGCA\tG\t.\tPASS\t.\tGT\t0/1"])
    query = vcf(tmp_path / "q.vcf", ["17\t.\tACA\tA\t.\tPASS\t.\tGT\t0/1"])
    summary = run_benchmark(BenchmarkRequest(truth=truth, query=query), tmp_path / "out")
    row = summary.row("INDEL", "ALL")
    assert (row.truth_undecidable, row.query_undecidable) == (1, 1)
    assert (row.truth_tp, row.truth_fn, row.query_fp) == (0, 0, 0)


@pytest.mark.verifies("SRS-309")
def test_empty_vcfs(tmp_path: Path) -> None:
    """It benchmarks two empty VCFs to zero counts with undefined metrics."""
    empty = vcf(tmp_path / "e.vcf", [])
    summary = run_benchmark(BenchmarkRequest(truth=empty, query=empty), tmp_path / "out")
    assert all(r.truth_total == 0 and r.recall is None for r in summary.rows)
