"""Reference reading: contig MD5s computed in a forked process while the index is built."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pysam
import pytest

from bp2.errors import InputError
from bp2.stages.align.header import Contig
from bp2.stages.align.reference import BackgroundMd5s, contig_md5s


def small_fasta(tmp_path: Path) -> tuple[Path, Path]:
    fasta = tmp_path / "ref.fa"
    fasta.write_text(">c1\nACGTacgtNN\nACG\n>c2\nttttGGGG\n")
    pysam.faidx(str(fasta))
    return fasta, tmp_path / "ref.fa.fai"


@pytest.mark.verifies("SRS-125")
def test_background_md5s_equal_the_direct_ones(tmp_path: Path) -> None:
    """It gives each contig's upper-case sequence MD5, the same as computed in this process."""
    fasta, fai = small_fasta(tmp_path)
    contigs = (Contig("c1", 13), Contig("c2", 8))
    with BackgroundMd5s(fasta, fai, None, contigs) as job:
        time.sleep(0.05)  # this process busy elsewhere meanwhile
        md5s = job.result()
    assert md5s == contig_md5s(fasta, fai, None, contigs)
    assert md5s[0] == hashlib.md5(b"ACGTACGTNNACG", usedforsecurity=False).hexdigest()


@pytest.mark.verifies("SRS-134")
def test_background_md5s_raise_the_childs_input_error(tmp_path: Path) -> None:
    """It raises in this process the InputError met in the child, naming the index."""
    fasta, fai = small_fasta(tmp_path)
    with pytest.raises(InputError, match="'c2' has 8 bases but the index says 9") as info, \
            BackgroundMd5s(fasta, fai, None, (Contig("c1", 13), Contig("c2", 9))) as job:
        job.result()
    assert info.value.path == str(fai)
