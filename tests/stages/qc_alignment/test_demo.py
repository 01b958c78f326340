"""Sex inference, X/Y checks and panel coverage on the synthetic demo trio (``bp2.demo``).

The real test data are chr20 only, so the X/Y checks can only be verified here: the demo build
``bp2-demo-1`` has chr1, chr2, chrX (PARs at both ends, declared in its ploidy file), chrY (PARs
masked with N) and chrM.  The trio is generated at 10x and the male proband and the mother are
aligned with the align stage; an X0 and an XXY sample are made from their reads.  Panel coverage
is compared with ``samtools depth -s`` over the canonical transcripts' coding bases, read from the
GTF here by a separate, minimal reading (CDS and stop_codon rows tagged Ensembl_canonical).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pysam
import pytest

from bp2.case import Sex
from bp2.demo.case import DemoCase, generate_demo_case
from bp2.engine.execute import execute_unit
from bp2.stages.align import AlignInputs, AlignOutputs, AlignParams, AlignStage
from bp2.stages.qc_alignment import (
    QcAlignmentInputs,
    QcAlignmentOutputs,
    QcAlignmentParams,
    QcAlignmentStage,
)
from tests.stages.qc_alignment.data import run_tool

DEPTH = 10.0
PARAMS = QcAlignmentParams(min_q30_bases=0)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoCase, dict[str, Path]]:
    """The demo case and the proband's and mother's aligned BAMs."""
    root = tmp_path_factory.mktemp("demo")
    case = generate_demo_case(root / "case", depth=DEPTH)
    bams = {}
    for sample in case.samples:
        if sample.sample not in ("proband", "mother"):
            continue
        inputs = AlignInputs(sample=sample.sample, reference=case.reference,
                             reference_index=case.reference_index, fastq_1=sample.fastq_1,
                             fastq_2=sample.fastq_2)
        outputs, _ = execute_unit(AlignStage(), inputs, AlignParams(),
                                  root / f"align_{sample.sample}", unit=sample.sample, threads=2)
        assert isinstance(outputs, AlignOutputs) and outputs.bam is not None
        bams[sample.sample] = outputs.bam
    return case, bams


def qc(case: DemoCase, bam: Path, sample: str, sex: Sex, outdir: Path,
       params: QcAlignmentParams = PARAMS) -> dict[str, Any]:
    inputs = QcAlignmentInputs(
        sample=sample, alignments=bam, alignments_index=Path(f"{bam}.bai"),
        reference=case.reference, reference_index=case.reference_index,
        reference_build=case.build, declared_sex=sex, common_snps=case.common_snps,
        gene_model=case.gene_model, panels=(case.panel,), ploidy=case.ploidy)
    outputs, _ = execute_unit(QcAlignmentStage(), inputs, params, outdir, unit=sample)
    assert isinstance(outputs, QcAlignmentOutputs)
    loaded: dict[str, Any] = json.loads(outputs.qc_json.read_text())
    loaded["_panel_tsv"] = outputs.panel_coverage.read_text()
    return loaded


def filtered_copy(sources: list[Path], target: Path, keep: Any, sample: str) -> Path:
    """The records of ``sources`` for which ``keep(read, source_index)`` holds, sorted, indexed."""
    with pysam.AlignmentFile(str(sources[0])) as first:
        header = first.header.to_dict()
    header["RG"] = [{"ID": sample, "SM": sample}]
    records = []
    for index, source in enumerate(sources):
        with pysam.AlignmentFile(str(source)) as handle:
            for read in handle.fetch(until_eof=True):
                if keep(read, index):
                    read.set_tag("RG", sample)
                    records.append(read.to_string())
    with pysam.AlignmentFile(str(target), "wb", header=header) as out:
        parsed = [pysam.AlignedSegment.fromstring(r, out.header) for r in records]
        parsed.sort(key=lambda r: (r.reference_id if r.reference_id >= 0 else 1 << 30,
                                   r.reference_start))
        for read in parsed:
            out.write(read)
    pysam.index(str(target))
    return target


def check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in report["checks"] if c["id"] == check_id)
    return found


@pytest.mark.verifies("SRS-165")
def test_male_and_female_concordant(demo: tuple[DemoCase, dict[str, Path]],
                                    tmp_path: Path) -> None:
    """It infers XY for the male proband and XX for the mother, both agreeing with the PED."""
    case, bams = demo
    male = qc(case, bams["proband"], "proband", Sex.MALE, tmp_path / "male")
    female = qc(case, bams["mother"], "mother", Sex.FEMALE, tmp_path / "female")
    for report, karyotype, x_cn, y_cn in ((male, "XY", 1.0, 1.0), (female, "XX", 2.0, 0.0)):
        sex = report["metrics"]["sex"]
        assert (sex["karyotype"], sex["status"]) == (karyotype, "concordant")
        assert abs(sex["x_copy_number"] - x_cn) < 0.1 and abs(sex["y_copy_number"] - y_cn) < 0.1
        assert check(report, "sex")["status"] == "pass"
        assert "UNUSUAL_SEX_KARYOTYPE" not in report["flags"]
        assert report["context"]["sex_chromosomes"]["par_source"].startswith("ploidy file")
    # chrX outside PAR1 (1-12,000) and PAR2 (150,001-156,000); chrY all of it but its N-masked PARs
    assert male["metrics"]["sex"]["x_nonpar_bases"] == 138_000
    assert male["metrics"]["sex"]["y_nonpar_bases"] == 50_000 - 18_000


@pytest.mark.verifies("SRS-165", "SRS-168")
def test_declared_sex_discordance_fails(demo: tuple[DemoCase, dict[str, Path]],
                                        tmp_path: Path) -> None:
    """It fails the mother declared male with SEX_DISCORDANCE and says why."""
    case, bams = demo
    report = qc(case, bams["mother"], "mother", Sex.MALE, tmp_path)
    assert check(report, "sex")["status"] == "fail"
    assert "SEX_DISCORDANCE" in report["flags"] and report["status"] == "fail"
    assert "sex: inferred XX (female) but the declared sex is male" in report["failure_reasons"]


@pytest.mark.verifies("SRS-165")
def test_unusual_karyotypes(demo: tuple[DemoCase, dict[str, Path]], tmp_path: Path) -> None:
    """It calls X0 (proband without chrY reads) and XXY (mother plus the proband's chrY reads)."""
    case, bams = demo
    x0 = filtered_copy([bams["proband"]], tmp_path / "x0.bam",
                       lambda read, _: read.reference_name != "chrY", "x0")
    xxy = filtered_copy([bams["mother"], bams["proband"]], tmp_path / "xxy.bam",
                        lambda read, i: i == 0 or read.reference_name == "chrY", "xxy")
    turner = qc(case, x0, "x0", Sex.FEMALE, tmp_path / "x0")
    klinefelter = qc(case, xxy, "xxy", Sex.FEMALE, tmp_path / "xxy")
    assert turner["metrics"]["sex"]["karyotype"] == "X0"
    assert turner["metrics"]["sex"]["status"] == "concordant"  # X0 is phenotypically female
    assert "UNUSUAL_SEX_KARYOTYPE" in turner["flags"]
    assert klinefelter["metrics"]["sex"]["karyotype"] == "XXY"
    assert check(klinefelter, "sex")["status"] == "fail"  # Y present, declared female
    assert {"UNUSUAL_SEX_KARYOTYPE", "SEX_DISCORDANCE"} <= set(klinefelter["flags"])


def canonical_coding_beds(gtf: Path, folder: Path) -> dict[str, Path]:
    """Per gene, a BED of the canonical transcript's CDS and stop codon rows (1-based → BED)."""
    rows: dict[str, list[tuple[str, int, int]]] = {}
    for line in gtf.read_text().splitlines():
        cols = line.split("\t")
        if line.startswith("#") or cols[2] not in ("CDS", "stop_codon"):
            continue
        if 'tag "Ensembl_canonical"' not in cols[8]:
            continue
        gene = cols[8].split('gene_name "')[1].split('"')[0]
        rows.setdefault(gene, []).append((cols[0], int(cols[3]) - 1, int(cols[4])))
    beds = {}
    for gene, spans in rows.items():
        beds[gene] = folder / f"{gene}.bed"
        beds[gene].write_text("".join(f"{c}\t{s}\t{e}\n" for c, s, e in sorted(spans)))
    return beds


@pytest.mark.verifies("SRS-164")
def test_panel_coverage_matches_samtools(demo: tuple[DemoCase, dict[str, Path]],
                                         tmp_path: Path) -> None:
    """Each green gene's coding % at ≥15× and ≥20× equals samtools depth -s over its CDS."""
    case, bams = demo
    report = qc(case, bams["proband"], "proband", Sex.MALE, tmp_path / "qc")
    panel = json.loads(case.panel.read_text())
    green = sorted(g["entity_name"] for g in panel["genes"] if g["confidence_level"] == "3")
    genes = {g["gene"]: g for g in report["panel_genes"]}
    assert sorted(genes) == green  # amber and red genes are not reported
    beds = canonical_coding_beds(case.gene_model, tmp_path)
    for symbol in green:
        depths = [int(line.split("\t")[2]) for line in run_tool(
            "samtools", "depth", "-s", "-a", "-Q", "11", "-G", "UNMAP,SECONDARY,QCFAIL,DUP",
            "-b", str(beds[symbol]), str(bams["proband"])).splitlines()]
        gene = genes[symbol]
        assert gene["status"] == "assessed" and gene["coding_bases"] == len(depths), symbol
        for level in (15, 20):
            expected = round(100 * sum(1 for d in depths if d >= level) / len(depths), 6)
            assert gene["pct_at_depth"][f"{level}x"] == expected, (symbol, level)
        assert bool(gene["under_covered_exons"]) == any(d < 15 for d in depths), symbol
    assert "PANEL_GENES_UNDER_COVERED" in report["flags"]
    header = report["_panel_tsv"].splitlines()[0].split("\t")
    assert header[-3:] == ["pct_at_15x", "pct_at_20x", "under_covered_exons(<15x)"]
    assert len(report["_panel_tsv"].splitlines()) == 1 + len(green)


@pytest.mark.verifies("SRS-163", "SRS-166")
def test_low_depth_demo_fails_coverage_and_is_uncontaminated(
        demo: tuple[DemoCase, dict[str, Path]], tmp_path: Path) -> None:
    """At 10× the demo proband fails LOW_COVERAGE; its contamination estimate is about 0."""
    case, bams = demo
    report = qc(case, bams["proband"], "proband", Sex.MALE, tmp_path)
    assert check(report, "coverage")["status"] == "fail" and "LOW_COVERAGE" in report["flags"]
    contamination = report["metrics"]["contamination"]
    assert contamination["sites_used"] >= 100
    assert contamination["fraction"] < 0.01
    assert check(report, "contamination")["status"] == "pass"
