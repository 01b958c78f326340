"""Run bp2's benchmark engine on hap.py's and RTG vcfeval's own test cases and list every
per-record disagreement with their expected outputs (used by test_external_cases.py and to
write verification/benchmark-differences.md)."""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pysam

from bp2.benchmark.api import compare_units, query_verdict, truth_verdict
from bp2.benchmark.compare import VariantRecord, read_bed, read_vcf, reference_fetch
from bp2.benchmark.engine import Fetch, Unit
from tests.testdata import data_file

HAPPY = "happy_unit_cases"
RTG = "rtg_vcfeval_nano_cases"


@dataclass(frozen=True, order=True)
class Difference:
    """One record on which bp2 and the reference tool disagree."""

    case: str
    side: str  # truth | query
    record: str  # CHROM:POS:REF:ALT
    bp2: str
    expected: str

    def row(self) -> str:
        return f"| {self.case} | {self.side} | {self.record} | {self.bp2} | {self.expected} |"


def _label(r: VariantRecord) -> str:
    return f"{r.chrom}:{r.pos}:{r.ref}:{','.join(r.alts)}"


def _fasta(case_dir: Path, name: str, tmp: Path) -> Fetch:
    src = data_file(f"{case_dir}/{name}")
    dst = tmp / Path(name).name
    if not dst.exists():
        shutil.copyfile(src, dst)
        pysam.faidx(str(dst))
    return reference_fetch(dst, Path(f"{dst}.fai"))


# --- RTG vcfeval -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RtgCase:
    name: str
    folder: str
    baseline: str
    calls: str
    template: str
    truth_sample: str | None = None
    query_sample: str | None = None
    expected_combined: str | None = None  # output.vcf (BASE=/CALL= per record)
    expected_baseline: str | None = None  # annotate-mode baseline.vcf
    expected_calls: str | None = None  # annotate-mode calls.vcf
    expected_tp: str | None = None  # tp.vcf (matched call records; the others are FP)


RTG_CASES = (
    RtgCase("vcfeval_small", RTG, "vcfeval_small_in_baseline.vcf", "vcfeval_small_in_calls.vcf",
            "vcfeval_small_in_template.fa", "sample1", "sample1",
            expected_tp="vcfeval_small_out_tp.vcf"),
    RtgCase("vcfeval_small_tricky", f"{RTG}/vcfeval_small_tricky",
            "vcfeval_small_tricky_in_baseline.vcf", "vcfeval_small_tricky_in_calls.vcf",
            "vcfeval_small_tricky_in_template.fa", expected_tp="vcfeval_small_tricky_out_tp.vcf"),
    RtgCase("trickysquash", f"{RTG}/vcfeval_small_trickysquash", "trickysquash_in_baseline.vcf",
            "trickysquash_in_calls.vcf", "trickysquash_in_template.fa",
            expected_baseline="trickysquash_out_baseline.vcf",
            expected_calls="trickysquash_out_calls.vcf"),
    *(RtgCase(n, f"{RTG}/vcfeval_small_updel", f"{n}_in_baseline.vcf", f"{n}_in_calls.vcf",
              f"{n}_in_template.fa", expected_baseline=f"{n}_out_baseline.vcf",
              expected_calls=f"{n}_out_calls.vcf")
      for n in ("updel", "updel2", "updel3", "updel4", "updel5")),
    RtgCase("avoid_overlap", f"{RTG}/vcfeval_avoid_overlap", "avoid_overlap_in_baseline.vcf",
            "avoid_overlap_in_calls.vcf", "avoid_overlap_in_template.fa", "BASE", "QUERY",
            expected_combined="avoid_overlap_out_output.vcf"),
    RtgCase("obeyphasing", f"{RTG}/obeyphasing", "obeyphasing_in_baseline.vcf",
            "obeyphasing_in_calls.vcf", "obeyphasing_in_template.fa",
            expected_tp="obeyphasing_out_tp.vcf"),
    RtgCase("vcfeval_all_matches", RTG, "vcfeval_all_matches_in_baseline.vcf",
            "vcfeval_all_matches_in_calls.vcf", "vcfeval_all_matches_in_template.fa",
            "BASELINE", "CALLS", expected_combined="vcfeval_all_matches_out_output.vcf"),
)


def _info_status(path: Path, key: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        cols = line.split("\t")
        label = f"{cols[0]}:{cols[1]}:{cols[3]}:{cols[4]}"
        info = dict(kv.partition("=")[::2] for kv in cols[7].split(";"))
        if key in info:
            out[label] = info[key]
    return out


def _bp2_status(units: list[Unit], records: list[VariantRecord], side: str) -> dict[str, str]:
    per: dict[int, list[str]] = defaultdict(list)
    for u in units:
        per[u.record].append(truth_verdict(u, None) if side == "truth"
                             else query_verdict(u, None))
    out: dict[str, str] = {}
    for index, r in enumerate(records):
        verdicts = per.get(index)
        if not verdicts:
            out[_label(r)] = "IGN"
        elif all(v == "TP" for v in verdicts):
            out[_label(r)] = "TP"
        elif any(v == "N" for v in verdicts):
            out[_label(r)] = "N"
        else:
            out[_label(r)] = "FN" if side == "truth" else "FP"
    return out


def rtg_differences(case: RtgCase, tmp: Path) -> Iterator[Difference]:
    folder = Path(case.folder)
    fetch = _fasta(folder, case.template, tmp)
    truth = read_vcf(data_file(f"{folder}/{case.baseline}"), case.truth_sample)
    query = read_vcf(data_file(f"{folder}/{case.calls}"), case.query_sample)
    t_units, q_units = compare_units(truth, query, fetch, pass_only=False)
    mine = {"truth": _bp2_status(t_units, truth, "truth"),
            "query": _bp2_status(q_units, query, "query")}
    expected: dict[str, dict[str, str]] = {"truth": {}, "query": {}}
    if case.expected_combined:
        path = data_file(f"{folder}/{case.expected_combined}")
        expected["truth"] = _info_status(path, "BASE")
        expected["query"] = _info_status(path, "CALL")
    if case.expected_baseline:
        expected["truth"] = _info_status(data_file(f"{folder}/{case.expected_baseline}"), "BASE")
    if case.expected_calls:
        expected["query"] = _info_status(data_file(f"{folder}/{case.expected_calls}"), "CALL")
    if case.expected_tp:
        tp = {_label(r) for r in read_vcf(data_file(f"{folder}/{case.expected_tp}"),
                                          case.query_sample)}
        expected["query"] = {label: ("TP" if label in tp else "FP")
                             for label, status in mine["query"].items() if status != "IGN"}
    for side in ("truth", "query"):
        for label, want in sorted(expected[side].items()):
            got = mine[side].get(label, "absent")
            if got != want:
                yield Difference(case.name, side, label, got, want)


# --- hap.py ------------------------------------------------------------------------------------

def happy_integration_differences() -> Iterator[Difference]:
    """Per-record BD:BK of hap.py's integration test (no reference) against bp2's."""
    folder = f"{HAPPY}/integration"
    truth = read_vcf(data_file(f"{folder}/integrationtest_lhs.vcf"))
    query = read_vcf(data_file(f"{folder}/integrationtest_rhs.vcf"))
    t_units, q_units = compare_units(truth, query, None, pass_only=False)
    yield from _happy_compare("happy_integration", truth, query, t_units, q_units,
                              data_file(f"{folder}/expected.integrationtest.vcf"), None)


def happy_decomp_differences() -> Iterator[Difference]:
    folder = f"{HAPPY}/decomp"
    truth = read_vcf(data_file(f"{folder}/decomp_test.truth.vcf.gz"))
    query = read_vcf(data_file(f"{folder}/decomp_test.query.vcf.gz"))
    confident = read_bed(data_file(f"{folder}/decomp_test.conf.bed.gz"))
    t_units, q_units = compare_units(truth, query, None, pass_only=False)
    yield from _happy_compare("happy_decomp", truth, query, t_units, q_units,
                              data_file(f"{folder}/expected.vcf"), confident)


def _owner(records: list[VariantRecord], chrom: str, pos: int, ref: str,
           alt: str) -> int | None:
    for index, r in enumerate(records):  # the same record, or else the one that contains it
        if r.chrom == chrom and r.pos == pos and r.ref == ref and alt in r.alts:
            return index
    for index, r in enumerate(records):
        if r.chrom == chrom and r.pos <= pos < r.pos + max(1, len(r.ref)) and any(r.genotype):
            return index
    return None


def _happy_compare(case: str, truth: list[VariantRecord], query: list[VariantRecord],
                   t_units: list[Unit], q_units: list[Unit], expected_vcf: Path,
                   confident: object) -> Iterator[Difference]:
    from bp2.benchmark.compare import Regions

    regions = confident if isinstance(confident, Regions) else None
    expected: dict[tuple[str, int], set[str]] = defaultdict(set)
    for line in expected_vcf.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        cols = line.split("\t")
        keys = cols[8].split(":")
        for side, column, records in (("truth", cols[9], truth), ("query", cols[10], query)):
            values = dict(zip(keys, column.split(":"), strict=False))
            bd = values.get("BD", ".")
            if bd in (".", ""):
                continue
            owner = _owner(records, cols[0], int(cols[1]), cols[3], cols[4].split(',')[0])
            if owner is not None:
                expected[(side, owner)].add(f"{bd}:{values.get('BK', '.')}")
    mine: dict[tuple[str, int], set[str]] = defaultdict(set)
    for u in t_units:
        mine[("truth", u.record)].add(f"{truth_verdict(u, regions)}:{u.match_kind}")
    for u in q_units:
        mine[("query", u.record)].add(f"{query_verdict(u, regions)}:{u.match_kind}")
    for key in sorted(set(expected) | set(mine)):
        side, index = key
        record = (truth if side == "truth" else query)[index]
        got = ",".join(sorted(mine.get(key, set()))) or "none"
        want = ",".join(sorted(expected.get(key, set()))) or "none"
        if got != want:
            yield Difference(case, side, _label(record), got, want)


def all_differences(tmp: Path) -> list[Difference]:
    diffs = [*happy_decomp_differences(), *happy_integration_differences()]
    for case in RTG_CASES:
        diffs.extend(rtg_differences(case, tmp))
    return sorted(diffs)


DIFFERENCES_FILE = Path(__file__).resolve().parents[2] / "verification" / \
    "benchmark-differences.md"


def listed_differences(path: Path = DIFFERENCES_FILE) -> list[Difference]:
    """The differences table of verification/benchmark-differences.md (reason column dropped)."""
    out: list[Difference] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or cells[0] in ("case", "") or set(cells[0]) <= {"-", ":"}:
            continue
        out.append(Difference(*cells[:5]))
    return sorted(out)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for d in all_differences(Path(tmp)):
            print(d.row())
