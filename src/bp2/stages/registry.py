"""The one registry of stages.  Adding a stage means adding its package and one line here."""

from __future__ import annotations

from bp2.errors import UsageError
from bp2.stages.align import AlignStage
from bp2.stages.annotate import AnnotateStage
from bp2.stages.base import AnyStage
from bp2.stages.call import CallStage
from bp2.stages.intake import IntakeStage
from bp2.stages.panels import PanelsStage
from bp2.stages.qc_alignment import QcAlignmentStage
from bp2.stages.qc_family import QcFamilyStage
from bp2.stages.report import ReportStage
from bp2.stages.tier import TierStage

IMPLEMENTS = ("SRS-002",)

# Order here is only for listing; the pipeline definition fixes the run order.
STAGES: tuple[AnyStage, ...] = (
    IntakeStage(),
    AlignStage(),
    QcAlignmentStage(),
    CallStage(),
    AnnotateStage(),
    QcFamilyStage(),
    PanelsStage(),
    TierStage(),
    ReportStage(),
)

REGISTRY: dict[str, AnyStage] = {stage.ID: stage for stage in STAGES}


def get_stage(stage_id: str) -> AnyStage:
    try:
        return REGISTRY[stage_id]
    except KeyError:
        raise UsageError(
            f"unknown stage '{stage_id}'",
            hint=f"known stages: {', '.join(REGISTRY) or '(none)'}; see 'bp2 stage list'",
        ) from None
