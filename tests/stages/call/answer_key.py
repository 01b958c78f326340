"""Answer key of the ``call`` stage: dataset 1's shipped BAM against the GIAB truth.

Independent source: the GIAB/NIST NA12878 truth VCF and its confident BED shipped with
DeepVariant's test data (``../shared/data/grch37_chr20_NA12878_deepvariant/truth``), compared with
:mod:`bp2.benchmark.compare` (normalised allele + genotype match).  Inside the BED the truth holds
49 called alleles (48 records, one of them ``1|2``).

Thresholds: recall and precision >= 0.979.  That is DeepVariant 1.5's own score on the same
reads in the same way (47 of 48 truth alleles in its 10.00-10.01 Mb window, no false positive;
shipped as ``expected/``): the stage must do at least as well as an independent state-of-the-art
caller.  Measured here: 49/49 true positives, 0 false positives (recall = precision = 1.0); the
bare ``mpileup | call -mv`` chain gets 47/49 (two homozygous indels called heterozygous, which
the stage's indel re-genotyping corrects).
"""

from __future__ import annotations

from pathlib import Path

import pysam

from bp2.stages.base import StageInputs, StageOutputs, StageParams
from bp2.stages.call import CallOutputs, CallParams
from tests.stages.call.datasets import ds1_inputs, score_ds1
from tests.stages.conformance import AnswerKey

MIN_RECALL = MIN_PRECISION = 0.979


def build(tmp: Path) -> tuple[StageInputs, StageParams]:
    return ds1_inputs(), CallParams()


def check(outputs: StageOutputs) -> None:
    assert isinstance(outputs, CallOutputs)
    result = score_ds1(outputs.vcf)
    total = result.total
    assert total.tp + total.fn == 49, "the confident BED holds 49 truth alleles"
    assert total.recall >= MIN_RECALL, result.as_dict()
    assert total.precision >= MIN_PRECISION, result.as_dict()


def normalise(outputs: StageOutputs) -> bytes:
    """Sorted (chrom, pos, ref, alt, GT per sample, FILTER) records: the calls, not the bytes."""
    assert isinstance(outputs, CallOutputs)
    lines = []
    with pysam.VariantFile(str(outputs.vcf), index_filename=str(outputs.vcf_index)) as vcf:
        for rec in vcf:
            genotypes = ",".join(
                "/".join("." if a is None else str(a) for a in (rec.samples[s].get("GT") or ()))
                for s in vcf.header.samples)
            filters = ";".join(rec.filter) or "PASS"
            lines.append(f"{rec.chrom}\t{rec.pos}\t{rec.ref}\t{','.join(rec.alts or ())}\t"
                         f"{genotypes}\t{filters}")
    return ("\n".join(sorted(lines)) + "\n").encode()


ANSWER_KEY = AnswerKey(
    stage_id="call",
    source="GIAB/NIST NA12878 truth VCF + confident BED for hg19 chr20:10.0-10.1 Mb "
    "(DeepVariant test data, ../shared/data/grch37_chr20_NA12878_deepvariant/truth), compared "
    "by bp2.benchmark.compare; thresholds = DeepVariant 1.5's score on the same reads",
    build=build,
    check=check,
    normalise=normalise,
)
