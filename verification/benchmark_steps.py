"""Step definitions of ``features/benchmark.feature`` (imported into ``conftest.py``).

The Given steps copy hap.py's ``decomp`` unit case (checked against the data manifest) or write
two one-record VCFs with different contig naming into the scenario's folder; the shared
When/Then steps of ``conftest.py`` run ``bp2 benchmark`` there and check its outputs.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Protocol

from pytest_bdd import given, parsers
from tests.testdata import data_file


class _World(Protocol):
    cwd: Path


@given(parsers.parse('hap.py\'s decomp case in "{folder}"'))
def happy_decomp_case(world: _World, folder: str) -> None:
    target = world.cwd / folder
    target.mkdir(parents=True, exist_ok=True)
    for name in ("decomp_test.truth.vcf.gz", "decomp_test.query.vcf.gz",
                 "decomp_test.conf.bed.gz"):
        shutil.copyfile(data_file(f"happy_unit_cases/decomp/{name}"), target / name)


@given(parsers.parse('a truth VCF on contig "{truth}" and a query VCF on contig "{query}"'))
def contig_pair(world: _World, truth: str, query: str) -> None:
    for name, contig in (("truth.vcf", truth), ("query.vcf", query)):
        (world.cwd / name).write_text(
            "##fileformat=VCFv4.2\n"
            f"##contig=<ID={contig},length=1000>\n"
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n"
            f"{contig}\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\n", encoding="utf-8")
