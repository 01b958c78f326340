"""``qc_family``: is the family in the VCF the family in the PED?

Three checks on the joint multi-sample VCF of the case (the ``call`` stage's output), each
reported as pass, fail or insufficient data with a reason a reviewer can read:

* **Relatedness** of every pair of samples: KING-robust kinship and IBS0 on informative
  autosomal SNVs (:mod:`.kinship`), the degree they imply, compared with the relationship the PED
  implies (:mod:`.pedigree`) → ``RELATEDNESS_DISCORDANCE``.  Fewer informative sites than
  ``min_kinship_sites`` is ``INSUFFICIENT_SITES``, never a pass — unless a declared
  parent–offspring pair shows significantly more opposite homozygotes than
  ``genotype_error_rate`` explains (binomial tail < ``discordance_alpha``, :mod:`.significance`),
  which fails.
* **Mendelian inconsistency** of every child with its parents (trios, and duos when one parent is
  not in the PED) on autosomes, chrX PARs and (by the child's sex) chrX non-PAR (:mod:`.mendel`)
  → ``MENDELIAN_ERROR_RATE`` above ``max_mendelian_error_rate`` (on fewer than
  ``min_mendelian_sites`` sites: significantly above it, else ``INSUFFICIENT_SITES``).
* **Sex** of every sample from chrX non-PAR heterozygosity (:mod:`.sex`), and from the optional
  ``qc_alignment`` sex inference JSONs, compared with the PED sex → ``SEX_DISCORDANCE`` (or
  ``SEX_AMBIGUOUS``).

Sites and genotypes used: bi-allelic SNVs passing FILTER, genotypes passing GQ/DP gates
(:mod:`.genotypes`).  The VCF's sample IDs must be exactly the PED's individual IDs.

Outputs: ``family_qc.json`` (every figure, per check status, flag and message, and the overall
status with its reasons) and ``family_qc.tsv`` (one row per check and an overall row).  The
stage itself succeeds whatever the verdict: stopping tiering and reporting on a failed family
check is the engine's decision, read from ``overall.status``.
"""

from __future__ import annotations

import json
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, model_validator

from bp2.case import Pedigree, Sex, read_pedigree
from bp2.errors import InputError, PipelineDefinitionError
from bp2.fileio import write_text_atomic
from bp2.stages.base import (
    CASE_UNIT,
    BindContext,
    Scope,
    Stage,
    StageContext,
    StageInputs,
    StageOutputs,
    StageParams,
)
from bp2.stages.qc_family.checks import (
    MendelCheck,
    PairCheck,
    RelatednessSettings,
    SexCheck,
    check_mendel,
    check_pair,
    check_sex,
)
from bp2.stages.qc_family.genotypes import (
    GenotypeFilter,
    GenotypeTable,
    Span,
    collect,
    resolve_x_pars,
)
from bp2.stages.qc_family.kinship import pair_counts
from bp2.stages.qc_family.mendel import EMPTY, Rule, mendel_counts
from bp2.stages.qc_family.pedigree import (
    DegreeCutoffs,
    check_samples,
    expected_relationship,
    family_units,
    kinship_coefficients,
)
from bp2.stages.qc_family.report import FamilyReport, report_json, report_tsv
from bp2.stages.qc_family.sex import (
    AlignmentSex,
    SexThresholds,
    infer_sex,
    parse_alignment_sex,
    x_evidence,
)
from bp2.stages.qc_family.vcf import open_vcf

REPORT_JSON = "family_qc.json"
REPORT_TSV = "family_qc.tsv"


class QcFamilyInputs(StageInputs):
    """The case's joint VCF, its PED, and optionally qc_alignment's sex inference per sample."""

    vcf: Path  # joint multi-sample VCF (plain or bgzip); streamed, so no index is read
    pedigree: Path  # PED: individual IDs = the VCF's sample IDs
    alignment_sex: tuple[Path, ...] = ()  # qc_alignment qc.json files (sex from X/Y depth)


class QcFamilyOutputs(StageOutputs):
    report_json: Path  # family_qc.json
    report_tsv: Path  # family_qc.tsv


class QcFamilyParams(StageParams):
    # genotypes
    min_genotype_quality: int = Field(default=20, ge=0)  # FORMAT/GQ; lower → not used
    min_depth: int = Field(default=10, ge=0)  # FORMAT/DP (and AD total); lower → not used
    accept_unfiltered: bool = True  # FILTER '.' (no filters applied) counts as passing
    # relatedness (KING cut-offs, Manichaikul et al. 2010).  1,000 informative sites: the real
    # exome trio has ~7,000-8,000; 60 sites (10 kb of chr20) gave kinship -2.36 for two founders
    min_kinship_sites: int = Field(default=1000, ge=1)
    kinship_duplicate_min: float = 0.354
    kinship_first_degree_min: float = 0.177
    kinship_second_degree_min: float = 0.0884
    kinship_third_degree_min: float = 0.0442
    parent_offspring_max_ibs0: float = Field(default=0.01, ge=0, le=1)
    third_degree_as_unrelated: bool = True  # KING cannot reliably split 3rd degree/unrelated
    # contradiction on too few sites (SRS-189): IBS0 of a declared parent-offspring pair is
    # tested against Binomial(n, genotype_error_rate).  1 %: the GQ >= 20 gate bounds each used
    # genotype's error at 1 %; measured parent-offspring IBS0 0-0.14 % (0 of 56-59 on the CEPH
    # window); KING's array cut-off 0.12 % and GWASTools' 0.3 % lie below, so 1 % is conservative
    genotype_error_rate: float = Field(default=0.01, gt=0, lt=1)
    # one-sided binomial tail below which few sites still FAIL a check (IBS0 and Mendel): with
    # at most ~4 tests per trio a true family fails by chance < 0.4 % even at the null error rate
    discordance_alpha: float = Field(default=0.001, gt=0, lt=1)
    # Mendelian inconsistency: real trios 0.04 % (Ashkenazi) and 0.21 % (justhusky) after the
    # gates; a child-mother swap 23-24 %, an unrelated father (duo) 8 %
    min_mendelian_sites: int = Field(default=1000, ge=1)
    max_mendelian_error_rate: float = Field(default=0.02, ge=0, le=1)
    # sex: justhusky males 0/27 and 0/36, female 40/59 heterozygous chrX non-PAR genotypes
    x_par_regions: tuple[tuple[int, int], ...] | None = None  # None: by chrX length (known builds)
    min_x_sites: int = Field(default=20, ge=1)
    x_het_fraction_male_max: float = Field(default=0.2, ge=0, le=1)
    x_het_fraction_female_min: float = Field(default=0.4, ge=0, le=1)
    allele_balance_het_min: float = Field(default=0.2, gt=0, le=0.5)

    @model_validator(mode="after")
    def _ordered(self) -> QcFamilyParams:
        cut = (self.kinship_duplicate_min, self.kinship_first_degree_min,
               self.kinship_second_degree_min, self.kinship_third_degree_min)
        if not all(a > b for a, b in pairwise(cut)) or cut[-1] <= 0:
            raise ValueError("kinship cut-offs must decrease: duplicate > first > second > "
                             "third degree > 0")
        if self.x_het_fraction_male_max >= self.x_het_fraction_female_min:
            raise ValueError("x_het_fraction_male_max must be below x_het_fraction_female_min")
        for start, end in self.x_par_regions or ():
            if not 1 <= start <= end:
                raise ValueError(f"x_par_regions: [{start}, {end}] is not a 1-based interval")
        return self


class QcFamilyStage(Stage[QcFamilyInputs, QcFamilyOutputs, QcFamilyParams]):
    ID: ClassVar[str] = "qc_family"
    VERSION: ClassVar[str] = "1.1.0"
    IMPLEMENTS: ClassVar[tuple[str, ...]] = (
        "SRS-180", "SRS-181", "SRS-182", "SRS-183", "SRS-184", "SRS-185", "SRS-186", "SRS-187",
        "SRS-188", "SRS-189",
    )
    TOOLS: ClassVar[tuple[str, ...]] = ("pysam", "htslib", "numpy")
    SCOPE: ClassVar[Scope] = Scope.CASE
    DESCRIPTION: ClassVar[str] = (
        "Family QC on the joint VCF: KING-robust kinship and IBS0 per pair against the PED, "
        "Mendelian-inconsistency rate per trio, chrX sex check against the PED"
    )

    Inputs = QcFamilyInputs
    Outputs = QcFamilyOutputs
    Params = QcFamilyParams

    def gate_failures(self, outputs: QcFamilyOutputs) -> tuple[str, ...]:
        """The overall verdict's reasons unless it passed (insufficient data is not a pass)."""
        overall = json.loads(outputs.report_json.read_text(encoding="utf-8"))["overall"]
        if overall["passed"]:
            return ()
        reasons = tuple(str(r) for r in overall["reasons"])
        return reasons or (f"family QC status {overall['status']}",)

    def run(self, inputs: QcFamilyInputs, params: QcFamilyParams,
            ctx: StageContext) -> QcFamilyOutputs:
        pedigree = read_pedigree(inputs.pedigree)
        alignment = read_alignment_sex(inputs.alignment_sex, pedigree)
        gfilter = GenotypeFilter(params.min_genotype_quality, params.min_depth,
                                 params.accept_unfiltered, params.allele_balance_het_min)
        with open_vcf(inputs.vcf, accept_unfiltered=params.accept_unfiltered) as (header, records):
            check_samples(pedigree, header.samples, str(inputs.vcf))
            x_pars = resolve_x_pars(header.contig_lengths, params.x_par_regions)
            table = collect(records, header.samples, gfilter, x_pars, source=str(inputs.vcf))
        ctx.logger.info("qc_family: %d records, %d autosomal and %d chrX non-PAR SNVs used",
                        table.records, table.autosomal.shape[0], table.x_nonpar.shape[0])
        report = evaluate(pedigree, table, alignment, params, x_pars)
        json_path, tsv_path = ctx.path(REPORT_JSON), ctx.path(REPORT_TSV)
        write_text_atomic(json_path, report_json(report))
        write_text_atomic(tsv_path, report_tsv(report))
        return QcFamilyOutputs(report_json=json_path, report_tsv=tsv_path)

    def bind(self, ctx: BindContext, unit: str) -> QcFamilyInputs:
        if unit != CASE_UNIT:
            raise PipelineDefinitionError(
                f"qc_family runs once per case, not for unit '{unit}'",
                hint="declare it with case scope in the pipeline definition",
            )
        return QcFamilyInputs(
            vcf=_output_file(ctx.output("call", CASE_UNIT), "call", "vcf"),
            pedigree=ctx.case.pedigree.path,
            alignment_sex=_alignment_qc(ctx),
        )


def _output_file(outputs: StageOutputs, stage_id: str, field: str) -> Path:
    path = getattr(outputs, field, None)
    if not isinstance(path, Path):
        raise PipelineDefinitionError(
            f"the {stage_id} stage's outputs have no '{field}' file (fields: "
            f"{', '.join(type(outputs).model_fields)})",
            hint=f"qc_family reads the {stage_id} stage's '{field}' output",
        )
    return path


def _alignment_qc(ctx: BindContext) -> tuple[Path, ...]:
    """qc_alignment's qc.json of every sample when that stage ran before, else none at all."""
    found: dict[str, Path] = {}
    missing: list[str] = []
    for record in ctx.case.pedigree.records:
        try:
            outputs = ctx.output("qc_alignment", record.individual)
        except LookupError:
            missing.append(record.individual)
            continue
        found[record.individual] = _output_file(outputs, "qc_alignment", "qc_json")
    if found and missing:
        raise PipelineDefinitionError(
            f"qc_alignment results exist for {', '.join(found)} but not for "
            f"{', '.join(missing)}",
            hint="run qc_alignment for every sample of the case before qc_family",
        )
    return tuple(found.values())


def read_alignment_sex(paths: tuple[Path, ...], pedigree: Pedigree) -> dict[str, AlignmentSex]:
    """The qc_alignment sex inferences by sample; each sample at most once, all in the PED."""
    found: dict[str, AlignmentSex] = {}
    origin: dict[str, Path] = {}
    for path in paths:
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(
                f"the alignment QC file is not valid JSON: {exc.msg}", path=path,
                line=exc.lineno, field="alignment_sex", hint="give qc_alignment's qc.json",
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the alignment QC file: {exc}", path=path,
                             field="alignment_sex", hint="give qc_alignment's qc.json") from None
        inferred = parse_alignment_sex(data, path)
        sample = inferred.sample
        if pedigree.get(sample) is None:
            raise InputError(
                f"the alignment QC file is for '{sample}', who is not in the PED",
                path=path, field="alignment_sex",
                hint="give the qc_alignment qc.json files of this case's samples only",
            )
        if sample in found:
            raise InputError(
                f"two alignment QC files for '{sample}' (also {origin[sample]})",
                path=path, field="alignment_sex", hint="give one qc.json per sample",
            )
        found[sample], origin[sample] = inferred, path
    return found


def evaluate(
    pedigree: Pedigree,
    table: GenotypeTable,
    alignment: dict[str, AlignmentSex],
    params: QcFamilyParams,
    x_pars: tuple[Span, ...] | None,
) -> FamilyReport:
    """Run the three checks on the coded genotypes (pure)."""
    order = tuple(r.individual for r in pedigree.records)
    column = {sample: n for n, sample in enumerate(table.samples)}
    cutoffs = DegreeCutoffs(params.kinship_duplicate_min, params.kinship_first_degree_min,
                            params.kinship_second_degree_min, params.kinship_third_degree_min)
    settings = RelatednessSettings(cutoffs, params.parent_offspring_max_ibs0,
                                   params.min_kinship_sites, params.third_degree_as_unrelated,
                                   params.genotype_error_rate, params.discordance_alpha)
    phi = kinship_coefficients(pedigree)

    pairs: list[PairCheck] = []
    for a, b in combinations(order, 2):
        counts = pair_counts(table.autosomal[:, column[a]], table.autosomal[:, column[b]])
        expected = expected_relationship(pedigree, a, b, phi[(a, b)], cutoffs)
        pairs.append(check_pair(a, b, expected, phi[(a, b)], counts, settings))

    mendel: list[MendelCheck] = []
    for unit in family_units(pedigree):
        child_record = pedigree.get(unit.child)
        assert child_record is not None
        x_rule = {Sex.MALE: Rule.X_MALE, Sex.FEMALE: Rule.BIPARENTAL}.get(child_record.sex,
                                                                          Rule.SKIP)
        inheritance = EMPTY
        for codes, contigs, rule in (
            (table.autosomal, table.autosomal_contigs, Rule.BIPARENTAL),
            (table.x_par, table.x_par_contigs, Rule.BIPARENTAL),
            (table.x_nonpar, table.x_nonpar_contigs, x_rule),
        ):
            inheritance = inheritance + mendel_counts(
                codes[:, column[unit.child]],
                None if unit.father is None else codes[:, column[unit.father]],
                None if unit.mother is None else codes[:, column[unit.mother]],
                contigs, table.contig_names, rule,
            )
        mendel.append(check_mendel(unit, inheritance, params.min_mendelian_sites,
                                   params.max_mendelian_error_rate, params.discordance_alpha))

    thresholds = SexThresholds(params.min_x_sites, params.x_het_fraction_male_max,
                               params.x_het_fraction_female_min)
    sex: list[SexCheck] = []
    for record in pedigree.records:
        n = column[record.individual]
        inference = infer_sex(x_evidence(table.x_nonpar[:, n], table.x_nonpar_balance[:, n]),
                              thresholds)
        sex.append(check_sex(record.individual, record.sex, inference,
                             alignment.get(record.individual), params.min_x_sites))

    return FamilyReport(
        samples=order, table=table, x_pars=x_pars, pairs=tuple(pairs), mendel=tuple(mendel),
        sex=tuple(sex), params=params.model_dump(mode="json"),
    )
