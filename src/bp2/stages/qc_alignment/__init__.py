"""The ``qc_alignment`` stage (see :mod:`bp2.stages.qc_alignment.stage`)."""

from bp2.stages.qc_alignment.params import QcAlignmentParams
from bp2.stages.qc_alignment.stage import (
    QcAlignmentInputs,
    QcAlignmentOutputs,
    QcAlignmentStage,
)

__all__ = ["QcAlignmentInputs", "QcAlignmentOutputs", "QcAlignmentParams", "QcAlignmentStage"]
