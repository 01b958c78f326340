"""The report's input documents, read into typed records (pure validation over parsed JSON).

Each model names only the fields the report shows; other fields of the producing stage's
document are ignored, so a stage may add fields without breaking the report, but a missing or
mistyped field the report needs is an input error naming the file and field.

* ``tiers.json`` (``bp2-tiers/1``) and ``summary.json`` (``bp2-tier-summary/1``): tier stage;
* ``panels.json`` (``bp2-panels/1``): panels stage;
* ``<sample>.qc.json``: qc_alignment stage (status, failure reasons, flags, checks, panel
  gene coverage);
* ``family_qc.json``: qc_family stage (overall verdict and each check's message).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bp2.errors import InputError
from bp2.yamlio import validation_error

IMPLEMENTS = ("SRS-261", "SRS-270")

TierName = Literal["TIER1", "TIER2", "TIER3"]
Scalar = float | int | str | bool | None


class _Doc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


# --- tier ---------------------------------------------------------------------------------------

class PanelRefDoc(_Doc):
    id: str
    name: str
    version: str


class EvidenceDoc(_Doc):
    route: str
    segregation: str
    compound_partners: tuple[str, ...] = ()
    panel: PanelRefDoc | None = None
    gene: str | None = None
    gene_id: str | None = None
    tiering_moi: str | None = None
    panelapp_moi: str | None = None
    transcript: str | None = None
    consequence: tuple[str, ...] = ()
    impact: str | None = None
    hgvsc: str | None = None
    hgvsp: str | None = None
    annotation: str | None = None


class CallDoc(_Doc):
    gt: str
    gq: int | None = None
    dp: int | None = None
    ad: tuple[int | None, ...] | None = None


class FrequencyDoc(_Doc):
    key: str
    value: float | None
    threshold: float
    passed: bool


class ClinvarDoc(_Doc):
    significance: tuple[str, ...] = ()
    review_status: str | None = None


class TierRecordDoc(_Doc):
    variant: str
    chrom: str
    pos: int
    ref: str
    alt: str
    tier: TierName
    penetrance: str
    evidence: tuple[EvidenceDoc, ...] = Field(min_length=1)
    genotypes: dict[str, CallDoc]
    frequencies_tested: dict[str, tuple[FrequencyDoc, ...]] = Field(default_factory=dict)
    clinvar: ClinvarDoc = ClinvarDoc()


class TiersDoc(_Doc):
    format: Literal["bp2-tiers/1"] = Field(alias="schema")
    records: tuple[TierRecordDoc, ...]


class LimitationDoc(_Doc):
    rule: str
    reason: str


class RecordCountsDoc(_Doc):
    vcf_records: int
    alleles: int
    not_pass: int
    filter_missing: int = 0
    symbolic_alleles_skipped: int = 0
    x_not_segregated: int = 0


class SexSampleDoc(_Doc):
    sample: str
    ped: str
    inferred: str | None = None
    flag: str | None = None


class SexDoc(_Doc):
    x_linked_segregation: bool
    samples: tuple[SexSampleDoc, ...] = ()
    par_source: str | None = None


class AnnotationDoc(_Doc):
    consequence_key: str | None
    frequency_keys_present: tuple[str, ...] = ()
    frequency_keys_absent: tuple[str, ...] = ()
    clinvar_keys_present: tuple[str, ...] = ()


class TierSummaryDoc(_Doc):
    format: Literal["bp2-tier-summary/1"] = Field(alias="schema")
    rules_version: str
    penetrance: str
    records: RecordCountsDoc
    tiers: dict[str, int]
    sex: SexDoc
    annotation: AnnotationDoc
    limitations: tuple[LimitationDoc, ...] = ()


# --- panels -------------------------------------------------------------------------------------

class GreenGeneDoc(_Doc):
    symbol: str
    tiering_moi: str
    panelapp_moi: str


class PanelDoc(_Doc):
    id: str
    name: str
    version: str
    status: str | None = None
    gms_signed_off: bool = False
    signed_off: str | None = None
    source_file: str | None = None
    green_genes: tuple[GreenGeneDoc, ...] = ()


class PanelsDoc(_Doc):
    format: Literal["bp2-panels/1"] = Field(alias="schema")
    rules_version: str
    gene_matching: str | None = None
    panels: tuple[PanelDoc, ...] = ()


# --- QC -----------------------------------------------------------------------------------------

class QcCheckDoc(_Doc):
    id: str
    description: str = ""
    value: Scalar = None
    comparison: str = ""
    threshold: Scalar = None
    status: str
    flag: str | None = None
    reason: str = ""


class ExonDoc(_Doc):
    exon: int | str


class QcGeneDoc(_Doc):
    gene: str
    panels: tuple[str, ...] = ()
    status: str
    pct_at_depth: dict[str, float | None] = Field(default_factory=dict)
    under_covered_exons: tuple[ExonDoc, ...] = ()


class SampleQcDoc(_Doc):
    sample: str
    status: Literal["pass", "fail"]
    failure_reasons: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    checks: tuple[QcCheckDoc, ...] = ()
    panel_genes: tuple[QcGeneDoc, ...] = ()


class FamilyOverallDoc(_Doc):
    status: str
    passed: bool
    reasons: tuple[str, ...] = ()


class FamilyCheckDoc(_Doc):
    status: str
    flag: str | None = None
    message: str = ""


class FamilyQcDoc(_Doc):
    overall: FamilyOverallDoc
    relatedness: tuple[FamilyCheckDoc, ...] = ()
    mendelian: tuple[FamilyCheckDoc, ...] = ()
    sex: tuple[FamilyCheckDoc, ...] = ()


D = TypeVar("D", bound=BaseModel)


def parse_document(model: type[D], data: object, path: Path, role: str) -> D:
    """Validate a parsed JSON document; an InputError names the file and every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, exc, role) from None


def load_document(model: type[D], path: Path, role: str, field: str) -> D:
    """Read a JSON document from ``path`` and validate it (InputError naming file and field)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the {role}: {exc}", path=path, field=field,
                         hint=f"give the {role} its stage wrote") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"the {role} is not valid JSON: {exc.msg}", path=path, line=exc.lineno,
                         field=field, hint=f"give the {role} its stage wrote") from None
    return parse_document(model, data, path, role)
