"""Design-control item records: one YAML file per item, validated by these models.

==========  ===================  ===========================================================
kind        folder (trace model)  what it records
==========  ===================  ===========================================================
``UN``      ``requirements/``     a user need: who needs what (validated by ``VAL``)
``SRS``     ``requirements/``     a software requirement in EARS form, with its parents
``HAZ``     ``risk/``             a hazard analysed per ISO 14971, its controls and residual risk
``VAL``     ``validation/``       a validation protocol for user needs
``ANOM``    see the trace model   a known anomaly and where it is in its lifecycle
==========  ===================  ===========================================================

Links to other items are :class:`Link` values: in *short form* a bare ID (``UN-001``), in
*long form* ``{id, fingerprint, reviewed_by, reviewed_at}`` written by ``bp2 trace review``.
The fingerprint is that of the target's normative content when the link was reviewed
(:mod:`bp2.trace.fingerprint`).

Risk levels are never typed in a hazard: they are computed from ``risk/policy.yaml``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from bp2.trace.ids import ItemId

IMPLEMENTS = ("SRS-030", "SRS-031", "SRS-032", "SRS-034", "SRS-051", "SRS-052")

NOT_BLANK = r"\S"
Text = Annotated[str, Field(min_length=1, pattern=NOT_BLANK)]
"""Non-blank text (checked by pydantic-core; reported as 'must not be blank')."""
Fingerprint = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]



class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SafetyClass(StrEnum):
    """IEC 62304 software safety class."""

    A = "A"
    B = "B"
    C = "C"


class RequirementType(StrEnum):
    FUNCTIONAL = "functional"
    PERFORMANCE = "performance"
    SAFETY = "safety"
    SECURITY = "security"
    USABILITY = "usability"


_STAMP = ("fingerprint", "reviewed_by", "reviewed_at")


class Link(_Record):
    """A link to another item; long form once reviewed."""

    id: ItemId
    fingerprint: Fingerprint | None = None
    reviewed_by: Text | None = None
    reviewed_at: AwareDatetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        """A bare ID is an unreviewed link; a stamp is all three fields or none (one check,
        on the raw data: this runs for every link of every item)."""
        if isinstance(data, str):
            return {"id": data}
        if isinstance(data, dict):
            present = sum(data.get(k) is not None for k in _STAMP)
            if present not in (0, len(_STAMP)):
                raise ValueError(
                    "a reviewed link needs all of fingerprint, reviewed_by and reviewed_at; "
                    "write a bare ID instead, or run 'bp2 trace review'")
        return data

    @property
    def reviewed(self) -> bool:
        return self.fingerprint is not None


class IntendedUse(_Record):
    """``requirements/intended-use.yaml``: the intended use and the system's safety class."""

    intended_use: Text
    intended_users: list[Text] = Field(min_length=1)
    patient_population: Text
    use_environment: Text
    not_intended_for: list[Text] = Field(default_factory=list)
    safety_class: SafetyClass
    safety_class_rationale: Text


class UserNeed(_Record):
    id: ItemId
    title: Text
    statement: Text
    rationale: Text | None = None


SHALL = r"\bshall\b"


class SoftwareRequirement(_Record):
    id: ItemId
    title: Text
    statement: Annotated[str, Field(pattern=SHALL)]
    rationale: Text
    type: RequirementType
    safety_class: SafetyClass
    parents: list[Link] = Field(default_factory=list)
    exemption: Annotated[str, Field(min_length=10)] | None = None


COMPUTED = frozenset({"risk", "risk_level", "level", "initial_risk", "residual_risk",
                      "acceptable", "acceptability"})
"""Fields a hazard or anomaly must not have: risk levels are computed from the policy.  The
models forbid unknown fields; :mod:`bp2.trace.yamlload` words the error for these."""


Reduction = Literal["probability", "severity"]


def _probability() -> list[Reduction]:
    return ["probability"]


class RiskControl(_Record):
    """A risk-control measure and the requirement that implements it."""

    measure: Text
    srs: Link
    reduces: list[Reduction] = Field(default_factory=_probability, min_length=1)
    new_risks: Text = Field(description="risks introduced by this control (ISO 14971 7.5)")


class Residual(_Record):
    severity: Text
    probability: Text


class Hazard(_Record):
    """A hazard analysed per ISO 14971 (clause 5) with its controls and residual risk (7)."""

    id: ItemId
    title: Text
    hazard: Text
    sequence_of_events: list[Text] = Field(min_length=1)
    hazardous_situation: Text
    harm: Text
    severity: Text
    probability: Text = Field(description="P2: probability that the situation leads to harm")
    controls: list[RiskControl] = Field(default_factory=list)
    residual: Residual
    notes: Text | None = None


class Dataset(_Record):
    name: Text
    path: Text | None = None
    uri: Text | None = None
    sha256: Fingerprint
    description: Text | None = None
    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")] | None = Field(
        default=None, description="short name the protocol's execution block refers to")

    @model_validator(mode="after")
    def _located(self) -> Self:
        if self.path is None and self.uri is None:
            raise ValueError("a dataset needs a path or a uri")
        return self


class AcceptanceCriterion(_Record):
    metric: Text
    comparator: Literal[">=", ">", "<=", "<", "=="]
    threshold: float
    unit: Text | None = None
    description: Text | None = None
    measure: Text | None = Field(
        default=None, description="figure 'bp2 validate' evaluates (bp2.validation.measures)")


class ValidationStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    PASSED = "passed"
    FAILED = "failed"


class ValidationProtocol(_Record):
    """A validation protocol: which user needs it validates, on what data, judged how."""

    id: ItemId
    title: Text
    validates: list[Link] = Field(min_length=1)
    datasets: list[Dataset] = Field(min_length=1)
    method: Text
    acceptance_criteria: list[AcceptanceCriterion] = Field(min_length=1)
    status: ValidationStatus = ValidationStatus.DRAFT
    report: Text | None = Field(default=None, description="where the executed results are")
    execution: dict[str, Any] | None = Field(
        default=None, description="how 'bp2 validate' executes it (bp2.validation.protocol)")

    @model_validator(mode="after")
    def _executed_has_report(self) -> Self:
        executed = self.status in (ValidationStatus.PASSED, ValidationStatus.FAILED)
        if executed and self.report is None:
            raise ValueError(f"a protocol with status '{self.status}' needs a 'report'")
        return self


class AnomalyStatus(StrEnum):
    OPEN = "open"
    INVESTIGATED = "investigated"
    FIXED = "fixed"
    ACCEPTED = "accepted"


class RiskEvaluation(_Record):
    severity: Text
    probability: Text
    rationale: Text
    hazards: list[ItemId] = Field(default_factory=list)


class Anomaly(_Record):
    """A known anomaly: open → investigated → fixed in a version, or accepted after evaluation."""

    id: ItemId
    title: Text
    description: Text
    affects: list[ItemId] = Field(default_factory=list)
    found_in: Text
    status: AnomalyStatus
    investigation: Text | None = None
    fixed_in: Text | None = None
    risk_evaluation: RiskEvaluation | None = None

    @model_validator(mode="after")
    def _lifecycle(self) -> Self:
        status = self.status
        if status != AnomalyStatus.OPEN and self.investigation is None:
            raise ValueError(f"status '{status}' needs an 'investigation' (what was found)")
        if (status == AnomalyStatus.FIXED) != (self.fixed_in is not None):
            raise ValueError("'fixed_in' (the version with the fix) is given iff status is 'fixed'")
        if (status == AnomalyStatus.ACCEPTED) != (self.risk_evaluation is not None):
            raise ValueError("'risk_evaluation' is given iff status is 'accepted'")
        return self


Item = UserNeed | SoftwareRequirement | Hazard | ValidationProtocol | Anomaly

MODELS: dict[str, type[BaseModel]] = {
    "UN": UserNeed,
    "SRS": SoftwareRequirement,
    "HAZ": Hazard,
    "VAL": ValidationProtocol,
    "ANOM": Anomaly,
}
"""The model of each item kind."""
