"""The ``intake`` stage (see :mod:`bp2.stages.intake.stage`)."""

from bp2.stages.intake.models import IntakeInputs, IntakeOutputs, IntakeParams
from bp2.stages.intake.stage import IntakeStage

__all__ = ["IntakeInputs", "IntakeOutputs", "IntakeParams", "IntakeStage"]
