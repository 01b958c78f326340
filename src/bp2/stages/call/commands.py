"""The bcftools command lines of the ``call`` stage, built from its parameters (pure).

Every command runs with ``--no-version`` (no command line or version in the header) in the
stage's scratch folder with relative file names, so the header names no path: mpileup's
``##reference`` line carries the reference's file name only.
"""

from __future__ import annotations

from collections.abc import Sequence

from bp2.stages.call.params import CallParams

_BAQ = {"partial": (), "full": ("-D",), "off": ("-B",)}


def mpileup_argv(
    params: CallParams, *, reference: str, bams: Sequence[str], read_groups: str,
    regions: str, seed: int,
) -> list[str]:
    """``bcftools mpileup`` for one chunk, writing uncompressed BCF to stdout."""
    argv = [
        "bcftools", "mpileup", "--no-version", "-Ou",
        "-f", reference,
        "-G", read_groups,
        "-R", regions,
        "-q", str(params.min_mapq),
        "-Q", str(params.min_baseq),
        "--max-BQ", str(params.max_baseq),
        "-C", str(params.adjust_mapq),
        "-d", str(params.max_depth),
        "-L", str(params.max_indel_depth),
        "--open-prob", str(params.gap_open),
        "-e", str(params.gap_extend),
        "-h", str(params.tandem_qual),
        "-m", str(params.min_indel_reads),
        "-F", str(params.min_indel_fraction),
        "--indel-size", str(params.indel_size),
        "--ambig-reads", params.ambiguous_reads,
        "--seed", str(seed),
        *_BAQ[params.baq],
    ]
    if params.count_orphans:
        argv.append("-A")
    if params.ignore_overlaps:
        argv.append("-x")
    if params.annotations:
        argv += ["-a", ",".join(params.annotations)]
    return [*argv, *bams]


def call_argv(params: CallParams, *, ploidy: str, samples_sex: str, output: str) -> list[str]:
    """``bcftools call`` reading mpileup's stream, writing variant sites as uncompressed BCF."""
    argv = [
        "bcftools", "call", "--no-version", "-Ou", "-o", output,
        "-m", "-v",
        "-P", str(params.prior),
        "--ploidy-file", ploidy,
        "-S", samples_sex,
    ]
    if params.call_annotations:
        argv += ["-a", ",".join(params.call_annotations)]
    return argv


def concat_argv(file_list: str) -> list[str]:
    return ["bcftools", "concat", "--no-version", "-Ou", "-f", file_list]


def norm_argv(reference: str, *, last: bool, output: str) -> list[str]:
    """Split multiallelic records and left-align against the reference (stop on a REF mismatch)."""
    out = ["-Oz", "-o", output] if last else ["-Ou"]
    return ["bcftools", "norm", "--no-version", "-f", reference, "-m", "-both", "-c", "e", *out]


def filter_argv(name: str, expression: str, *, last: bool, output: str) -> list[str]:
    """One soft filter: matching records get ``name`` added to FILTER; others keep theirs."""
    out = ["-Oz", "-o", output] if last else ["-Ou"]
    return ["bcftools", "filter", "--no-version", "-m", "+", "-s", name, "-e", expression, *out]


def tail_argvs(params: CallParams, *, reference: str, file_list: str, output: str
               ) -> list[list[str]]:
    """concat | norm | filter... writing the final bgzipped VCF."""
    chain = [concat_argv(file_list), norm_argv(reference, last=not params.filters, output=output)]
    for position, rule in enumerate(params.filters):
        last = position == len(params.filters) - 1
        chain.append(filter_argv(rule.name, rule.expression, last=last, output=output))
    return chain


def index_argv(vcf: str, output: str) -> list[str]:
    return ["bcftools", "index", "-t", "-o", output, vcf]


def query_argv(vcf: str) -> list[str]:
    return ["bcftools", "query", "-f", "%FILTER\\t%REF\\t%ALT\\n", vcf]
