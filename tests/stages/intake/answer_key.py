"""Answer key of the intake stage: the real CEPH 1463 trio FASTQs against the hs37d5 chr20 FASTA.

Independent answers: the read-pair counts stated in ../shared/data (MANIFEST.tsv and README:
HG001 881, NA12891 1,258, NA12892 1,211 pairs) and recounted here with ``gzip -dc | wc -l``
divided by 4; every file's MD5 from ``md5sum``; the reference build from the data README
(hs37d5, contig '20', 63,025,520 bp); sexes and the affected child from the PED the key writes
(the shipped PED with the child's phenotype set to 2).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bp2.fileio import canonical_json
from bp2.stages.base import StageInputs, StageOutputs, StageParams
from bp2.stages.intake import IntakeInputs, IntakeOutputs, IntakeParams
from bp2.stages.intake.models import SampleReads
from tests.stages.conformance import AnswerKey
from tests.testdata import data_file

TRIO = "grch37_chr20_trio_deeptrio"
REFERENCE = f"{TRIO}/reference/hs37d5.chr20.fa.gz"
STATED_PAIRS = {"HG001": 881, "NA12891": 1_258, "NA12892": 1_211}  # MANIFEST.tsv descriptions
SEXES = {"HG001": "female", "NA12891": "male", "NA12892": "female"}
FASTQ = {
    "HG001": "HG001.chr20.10_10p1mb_sorted_R{}.fastq.gz",
    "NA12891": "NA12891.chr20.10_10p1mb_sorted_R{}.fastq.gz",
    "NA12892": "NA12892.chr20.10_10p1mb_sorted_R{}.fastq.gz",
}


def fastq(sample: str, mate: int) -> Path:
    return data_file(f"{TRIO}/derived/{FASTQ[sample].format(mate)}")


def affected_child_ped(folder: Path) -> Path:
    """The shipped trio PED with the child (HG001) marked affected (phenotype 2)."""
    lines = []
    for line in data_file(f"{TRIO}/derived/ceph1463_NA12878_trio.ped").read_text().splitlines():
        cols = line.split("\t")
        if cols[1] == "HG001":
            cols[5] = "2"
        lines.append("\t".join(cols))
    path = folder / "ceph1463_affected_child.ped"
    path.write_text("\n".join(lines) + "\n")
    return path


def build(folder: Path) -> tuple[StageInputs, StageParams]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["sample,sex,fastq_1,fastq_2"]
    rows += [f"{s},{SEXES[s]},{fastq(s, 1)},{fastq(s, 2)}" for s in FASTQ]
    sheet = folder / "samplesheet.csv"
    sheet.write_text("\n".join(rows) + "\n")
    inputs = IntakeInputs(
        samplesheet=sheet,
        pedigree=affected_child_ped(folder),
        reads=tuple(SampleReads(sample=s, fastq_1=fastq(s, 1), fastq_2=fastq(s, 2))
                    for s in FASTQ),
        reference=data_file(REFERENCE),
        reference_index=data_file(REFERENCE + ".fai"),
        reference_gzi=data_file(REFERENCE + ".gzi"),
    )
    return inputs, IntakeParams()


def _lines(path: Path) -> int:
    out = subprocess.run(f"gzip -dc '{path}' | wc -l", shell=True, capture_output=True,
                         text=True, check=True).stdout
    return int(out)


def _md5sum(path: Path) -> str:
    return subprocess.run(["md5sum", str(path)], capture_output=True, text=True,
                          check=True).stdout.split()[0]


def check(outputs: StageOutputs) -> None:
    assert isinstance(outputs, IntakeOutputs)
    summary = json.loads(outputs.intake_json.read_text())
    samples = {s["sample"]: s for s in summary["samples"]}
    assert list(samples) == list(FASTQ)
    for sample, stated in STATED_PAIRS.items():
        assert samples[sample]["read_pairs"] == stated, sample
        for mate, record in ((1, samples[sample]["files"][0]), (2, samples[sample]["files"][1])):
            path = fastq(sample, mate)
            assert record["records"] == _lines(path) // 4 == stated, (sample, mate)
            assert record["md5"] == _md5sum(path), (sample, mate)
            assert record["every_record_checked"] is True
        assert samples[sample]["sex"] == SEXES[sample]
    assert summary["case"]["affected"] == ["HG001"]
    assert (samples["HG001"]["father"], samples["HG001"]["mother"]) == ("NA12891", "NA12892")
    reference = summary["reference"]
    assert reference["length"] == 63_025_520 and reference["contigs"] == 1
    assert reference["build"]["builds"] == ["GRCh37-b37"]
    assert reference["build"]["matching_contigs"] == ["20"]
    tsv = outputs.summary_tsv.read_text().splitlines()
    assert [line.split("\t")[0] for line in tsv[1:]] == list(FASTQ)


def normalise(outputs: StageOutputs) -> bytes:
    assert isinstance(outputs, IntakeOutputs)
    summary = json.loads(outputs.intake_json.read_text())
    return (canonical_json(summary) + "\n").encode() + outputs.summary_tsv.read_bytes()


ANSWER_KEY = AnswerKey(
    stage_id="intake",
    source="read-pair counts stated in ../shared/data MANIFEST.tsv (HG001 881, NA12891 1,258, "
    "NA12892 1,211) and recounted with 'gzip -dc | wc -l' / 4; MD5s from md5sum; hs37d5 build "
    "and 63,025,520 bp chr20 from the data README; sexes and affected child from the PED",
    build=build,
    check=check,
    normalise=normalise,
)
