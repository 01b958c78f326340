"""``run_benchmark``: compare a query VCF with a truth VCF and write hap.py-style outputs.

Rows follow hap.py's summary: one per variant type (SNP, INDEL) and query filter (ALL: every
query record; PASS: only PASS/``.`` records, so a filtered call of a truth variant is a FN), each
with Wilson 95 % intervals on recall and precision.  Extended rows repeat them per stratum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from bp2.benchmark.compare import (
    Regions,
    VariantRecord,
    read_bed,
    read_vcf,
    reference_fetch,
)
from bp2.benchmark.engine import QUERY, TRUTH, Bases, Fetch, Unit, match, prepare
from bp2.benchmark.stats import wilson_interval
from bp2.errors import InputError

IMPLEMENTS = ("SRS-303", "SRS-307", "SRS-309", "SRS-310")

TRANSITIONS = frozenset({("A", "G"), ("G", "A"), ("C", "T"), ("T", "C")})


class BenchmarkRequest(BaseModel):
    """What to compare (paths are read as given; no file is written next to them)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    truth: Path
    query: Path
    confident: Path | None = None
    reference: Path | None = None
    reference_index: Path | None = None
    reference_gzi: Path | None = None
    strata: dict[str, Path] = Field(default_factory=dict)
    pass_only: bool = False
    truth_sample: str | None = None
    query_sample: str | None = None


class SummaryRow(BaseModel):
    """One hap.py summary row (metrics are None when their denominator is zero)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str
    filter: str
    subset: str = "*"
    truth_total: int
    truth_tp: int
    truth_fn: int
    query_total: int
    query_tp: int
    query_fp: int
    query_unk: int
    fp_gt: int
    fp_al: int
    truth_undecidable: int
    query_undecidable: int
    recall: float | None
    precision: float | None
    frac_na: float | None
    f1: float | None
    recall_ci: tuple[float, float]
    precision_ci: tuple[float, float]
    truth_titv: float | None
    query_titv: float | None
    truth_het_hom: float | None
    query_het_hom: float | None


class BenchmarkSummary(BaseModel):
    """The result of one benchmark: summary rows, extended (per-stratum) rows, inputs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rows: list[SummaryRow]
    extended: list[SummaryRow]
    truth: str
    query: str
    confident: str | None
    reference: str | None
    truth_sample: str
    query_sample: str
    strata: dict[str, str]
    pass_only: bool
    created: str

    def row(self, type_: str, filter_: str = "PASS", subset: str = "*") -> SummaryRow:
        """The row of a type and filter (``subset`` picks an extended row)."""
        rows = self.rows if subset == "*" else self.extended
        for r in rows:
            if r.type == type_ and r.filter == filter_ and r.subset == subset:
                return r
        raise KeyError((type_, filter_, subset))


# --- counting ----------------------------------------------------------------------------------


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _titv(units: Iterable[Unit]) -> float | None:
    ti = tv = 0
    for u in units:
        if u.kind != "SNP":
            continue
        for a in {x for x in u.gt if x > 0}:
            if (u.ref, u.alts[a - 1]) in TRANSITIONS:
                ti += 1
            else:
                tv += 1
    return _ratio(ti, tv)


def _het_hom(units: Iterable[Unit]) -> float | None:
    het = hom = 0
    for u in units:
        if u.zygosity == "het":
            het += 1
        elif u.zygosity == "homalt":
            hom += 1
    return _ratio(het, hom)


def count_row(type_: str, filter_: str, subset: str, truth: Sequence[Unit],
              query: Sequence[Unit], confident: Regions | None,
              stratum: Regions | None = None) -> SummaryRow:
    """Count one row from decided units (see :mod:`bp2.benchmark.engine` for the rules)."""

    def inside(u: Unit, regions: Regions | None) -> bool:
        return regions is None or regions.overlaps(u.chrom, u.start, u.end)

    t_units = [u for u in truth if u.kind == type_ and inside(u, stratum)]
    q_units = [u for u in query if u.kind == type_ and inside(u, stratum)]
    t_counted = [u for u in t_units if inside(u, confident)]
    tp = sum(1 for u in t_counted if u.decision == "TP")
    fn = sum(1 for u in t_counted if u.decision == "FN")
    t_und = sum(1 for u in t_counted if u.decision == "N")
    q_tp = q_fp = q_unk = q_und = fp_gt = fp_al = 0
    q_verdicts = [query_verdict(u, confident) for u in q_units]
    q_decided = [u for u, v in zip(q_units, q_verdicts, strict=True) if v != "N"]
    for u, verdict in zip(q_units, q_verdicts, strict=True):
        if verdict == "TP":
            q_tp += 1
        elif verdict == "FP":
            q_fp += 1
            fp_gt += u.match_kind == "am"
            fp_al += u.match_kind == "lm"
        elif verdict == "N":
            q_und += 1
        else:
            q_unk += 1
    recall = _ratio(tp, tp + fn)
    precision = _ratio(q_tp, q_tp + q_fp)
    f1 = (2 * recall * precision / (recall + precision)
          if recall is not None and precision is not None and recall + precision else None)
    q_total = q_tp + q_fp + q_unk
    return SummaryRow(
        type=type_, filter=filter_, subset=subset, truth_total=tp + fn, truth_tp=tp,
        truth_fn=fn, query_total=q_total, query_tp=q_tp, query_fp=q_fp, query_unk=q_unk,
        fp_gt=fp_gt, fp_al=fp_al, truth_undecidable=t_und, query_undecidable=q_und,
        recall=recall, precision=precision, frac_na=_ratio(q_unk, q_total), f1=f1,
        recall_ci=wilson_interval(tp, tp + fn), precision_ci=wilson_interval(q_tp, q_tp + q_fp),
        truth_titv=_titv(t_counted) if type_ == "SNP" else None,
        query_titv=_titv(q_decided) if type_ == "SNP" else None,
        truth_het_hom=_het_hom(t_counted),
        query_het_hom=_het_hom(q_decided),
    )


def truth_verdict(u: Unit, confident: Regions | None) -> str:
    """BD of a truth unit: its decision inside the confident regions, UNK outside."""
    if confident is not None and not confident.overlaps(u.chrom, u.start, u.end):
        return "UNK"
    return u.decision


def query_verdict(u: Unit, confident: Regions | None) -> str:
    """BD of a query unit: TP/FP/N as decided, UNK where no confident truth judges it."""
    if u.decision == "N":
        return "N"
    if confident is None:
        return u.decision
    if u.decision == "TP":
        return "TP" if any(confident.overlaps(t.chrom, t.start, t.end)
                           for t in u.matched_truth) else "UNK"
    return "FP" if confident.overlaps(u.chrom, u.start, u.end) else "UNK"


# --- the run -----------------------------------------------------------------------------------


def _contig_check(truth: Sequence[VariantRecord], query: Sequence[VariantRecord],
                  request: BenchmarkRequest, confident: Regions | None) -> None:
    t_contigs = {r.chrom for r in truth}
    q_contigs = {r.chrom for r in query}

    def strip(c: str) -> str:
        return c[3:] if c.lower().startswith("chr") else c

    if t_contigs and q_contigs and t_contigs.isdisjoint(q_contigs):
        t_names = ", ".join(sorted(t_contigs)[:5])
        q_names = ", ".join(sorted(q_contigs)[:5])
        same = {strip(c) for c in t_contigs} & {strip(c) for c in q_contigs}
        hint = ("rename the contigs of one file to the other's style (e.g. bcftools annotate "
                "--rename-chrs)" if same else "compare VCFs of the same genome region")
        raise InputError(f"the truth and query VCFs share no contig: truth has {t_names}; "
                         f"query has {q_names}", path=request.query, field="CHROM", hint=hint)
    if confident is not None and t_contigs and t_contigs.isdisjoint(confident.intervals):
        raise InputError(
            f"the confident BED shares no contig with the truth VCF: BED has "
            f"{', '.join(sorted(confident.intervals)[:5])}; truth has "
            f"{', '.join(sorted(t_contigs)[:5])}", path=request.confident, field="chrom",
            hint="use the BED made for this truth set (same contig names)")


def _sample_name(path: Path, wanted: str | None) -> str:
    import pysam

    quiet = pysam.set_verbosity(0)
    try:
        with pysam.VariantFile(str(path)) as vcf:
            samples = list(vcf.header.samples)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the VCF: {exc}", path=path,
                         hint="give a VCF or bgzipped VCF") from None
    finally:
        pysam.set_verbosity(quiet)
    if not samples:
        raise InputError("VCF has no sample column", path=path,
                         hint="compare VCFs that carry genotypes")
    return wanted if wanted is not None else samples[0]


def _fetch(request: BenchmarkRequest) -> Fetch | None:
    if request.reference is None:
        return None
    ref = request.reference
    if not ref.is_file():
        raise InputError.missing_file(ref, "reference FASTA")
    index = request.reference_index or Path(f"{ref}.fai")
    if not index.is_file():
        raise InputError.missing_file(index, "reference FASTA index (.fai)")
    gzi = request.reference_gzi
    if gzi is None and Path(f"{ref}.gzi").is_file():
        gzi = Path(f"{ref}.gzi")
    try:
        return reference_fetch(ref, index, gzi)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot open the reference: {exc}", path=ref,
                         hint="give a FASTA (or bgzip FASTA) with its .fai (and .gzi)") from None


def compare_units(truth: Sequence[VariantRecord], query: Sequence[VariantRecord],
                  fetch: Fetch | None, *, pass_only: bool,
                  truth_source: Path | str = "<truth>",
                  query_source: Path | str = "<query>") -> tuple[list[Unit], list[Unit]]:
    """Prepare and match the two sides; with ``pass_only`` filtered query records are dropped."""
    t_units = prepare(truth, TRUTH, fetch, source=truth_source)
    q_units = prepare(query, QUERY, fetch, source=query_source)
    if pass_only:
        q_units = [u for u in q_units if u.passing]
    match(t_units, q_units, Bases(fetch, (truth, query)))
    return t_units, q_units


def run_benchmark(request: BenchmarkRequest, outdir: Path) -> BenchmarkSummary:
    """Compare, count, and write summary.csv, extended.csv, annotated.vcf.gz, benchmark.json."""
    from bp2.benchmark import outputs

    for path, role in ((request.truth, "truth VCF"), (request.query, "query VCF")):
        if not path.is_file():
            raise InputError.missing_file(path, role)
    confident = read_bed(request.confident) if request.confident is not None else None
    strata = {name: read_bed(path) for name, path in sorted(request.strata.items())}
    truth_sample = _sample_name(request.truth, request.truth_sample)
    query_sample = _sample_name(request.query, request.query_sample)
    truth = read_vcf(request.truth, truth_sample)
    query = read_vcf(request.query, query_sample)
    _contig_check(truth, query, request, confident)
    fetch = _fetch(request)

    rows: list[SummaryRow] = []
    extended: list[SummaryRow] = []
    t_units = prepare(truth, TRUTH, fetch, source=request.truth)
    q_all = prepare(query, QUERY, fetch, source=request.query)
    bases = Bases(fetch, (truth, query))
    contigs = list(dict.fromkeys(r.chrom for r in (*truth, *query)))
    annotated: str | None = None
    filters = ("PASS",) if request.pass_only else ("ALL", "PASS")
    for filter_ in filters:
        q_units = [u for u in q_all if u.passing] if filter_ == "PASS" else q_all
        if filter_ == "ALL" or annotated is None or len(q_units) < len(q_all):
            match(t_units, q_units, bases)  # PASS equals ALL when nothing is filtered
        if annotated is None:  # the first comparison is the one annotated
            annotated = outputs.annotated_vcf_text(t_units, q_units, contigs, confident)
        for type_ in ("INDEL", "SNP"):
            row = count_row(type_, filter_, "*", t_units, q_units, confident)
            rows.append(row)
            extended.append(row)
            for name, regions in strata.items():
                extended.append(count_row(type_, filter_, name, t_units, q_units, confident,
                                          regions))
    rows.sort(key=lambda r: (r.type, r.filter))
    extended.sort(key=lambda r: (r.type, r.subset != "*", r.subset, r.filter))
    summary = BenchmarkSummary(
        rows=rows, extended=extended, truth=str(request.truth), query=str(request.query),
        confident=None if request.confident is None else str(request.confident),
        reference=None if request.reference is None else str(request.reference),
        truth_sample=truth_sample, query_sample=query_sample,
        strata={k: str(v) for k, v in sorted(request.strata.items())},
        pass_only=request.pass_only, created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    assert annotated is not None
    outputs.write_all(outdir, summary, annotated)
    return summary
