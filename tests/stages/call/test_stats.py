"""Tests of the stats JSON arithmetic, the command lines and the file-format checks."""

from __future__ import annotations

import gzip

import pytest

from bp2.stages.call import commands
from bp2.stages.call.files import (
    BGZF_EOF,
    AlignmentFormat,
    IndexFormat,
    alignment_format,
    contig_problems,
    index_format,
    is_bgzf,
)
from bp2.stages.call.params import CallParams, FilterRule
from bp2.stages.call.stats import call_stats


@pytest.mark.verifies("SRS-146")
def test_stats_counts_and_titv() -> None:
    """It counts records, PASS, SNV/indel and Ti/Tv of PASS SNVs as computed by hand."""
    rows = [("PASS", "A", "G"), ("PASS", "C", "T"), ("PASS", "A", "C"), ("LowQual", "G", "A"),
            ("PASS", "AT", "A"), (".", "A", "ATT"), ("PASS", "AC", "GT"), ("LowQual;X", "T", "G")]
    stats = call_stats(rows)
    assert stats["all"] == {"records": 8, "snv": 5, "indel": 2, "other": 1}
    assert stats["pass"] == {"records": 6, "snv": 3, "indel": 2, "other": 1}
    # PASS SNVs: A>G (Ti), C>T (Ti), A>C (Tv): Ti/Tv = 2/1
    assert stats["pass_snv_titv"] == 2.0
    assert stats["filters"] == {"LowQual": 2, "PASS": 6, "X": 1}


@pytest.mark.verifies("SRS-145")
def test_filter_chain_uses_every_rule_in_order() -> None:
    """It builds one soft-filter step per rule, the last writing the bgzipped VCF."""
    params = CallParams(filters=(
        FilterRule(name="LowQual", expression="QUAL<10", justification="j"),
        FilterRule(name="HighDP", expression="INFO/DP>500", justification="j")))
    chain = commands.tail_argvs(params, reference="ref.fa", file_list="l.txt", output="o.vcf.gz")
    assert [argv[1] for argv in chain] == ["concat", "norm", "filter", "filter"]
    assert chain[1][chain[1].index("-m") + 1] == "-both"
    first, second = chain[2], chain[3]
    assert first[first.index("-s") + 1] == "LowQual" and first[first.index("-e") + 1] == "QUAL<10"
    assert second[second.index("-s") + 1] == "HighDP" and first[-1] == "-Ou"
    assert first[first.index("-m") + 1] == "+"  # add to FILTER, keep earlier names
    assert chain[3][-3:] == ["-Oz", "-o", "o.vcf.gz"]
    assert all("--no-version" in argv for argv in chain)


@pytest.mark.verifies("SRS-145")
def test_filter_names_are_vcf_ids() -> None:
    """It refuses a filter name that is not a valid FILTER ID."""
    with pytest.raises(ValueError):
        FilterRule(name="low qual", expression="QUAL<10", justification="j")


@pytest.mark.verifies("SRS-140")
def test_mpileup_and_call_carry_every_parameter() -> None:
    """It passes the parameters to mpileup and call (-q, -Q, -d, -P, -m, ploidy, sexes)."""
    params = CallParams()
    mp = commands.mpileup_argv(params, reference="r.fa", bams=["a.bam"], read_groups="g.txt",
                               regions="c.txt", seed=7)
    assert mp[mp.index("-q") + 1] == "20" and mp[mp.index("-Q") + 1] == "1"
    assert mp[mp.index("-d") + 1] == "250" and mp[mp.index("--seed") + 1] == "7"
    assert mp[mp.index("-a") + 1] == "FORMAT/AD,FORMAT/DP,FORMAT/SP" and mp[-1] == "a.bam"
    call = commands.call_argv(params, ploidy="p.txt", samples_sex="s.txt", output="o.bcf")
    assert "-m" in call and "-v" in call and call[call.index("-P") + 1] == "0.0011"
    assert call[call.index("--ploidy-file") + 1] == "p.txt" and "-S" in call


@pytest.mark.verifies("SRS-150")
def test_format_recognition_by_magic_bytes() -> None:
    """It recognises BAM, BAI and CSI by their magic bytes and a truncated BGZF by its tail."""
    assert is_bgzf(BGZF_EOF)
    assert alignment_format(b"CRAM\x03\x00") is AlignmentFormat.CRAM
    assert alignment_format(gzip.compress(b"BAM\x01")) is None  # gzip, not BGZF
    assert index_format(b"BAI\x01....") is IndexFormat.BAI
    assert index_format(gzip.compress(b"CSI\x01....")) is IndexFormat.CSI
    assert index_format(b"##fileformat=VCF") is None


@pytest.mark.verifies("SRS-150")
def test_contig_problems() -> None:
    """It explains a BAM of another naming, another build, or with reads off the reference."""
    fai = {"chr20": 63_025_520}
    assert contig_problems(fai, {"chr20": 63_025_520, "chr1": 1}, {"chr20": 5}) is None
    assert "naming" in (contig_problems(fai, {"20": 63_025_520}, {}) or "")
    assert "another build" in (contig_problems(fai, {"chr20": 64_444_167}, {}) or "")
    assert "lie on contigs" in (contig_problems(fai, {"chr20": 63_025_520, "chr1": 9},
                                                {"chr1": 12}) or "")
