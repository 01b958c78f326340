"""The ``qc_family`` stage (see :mod:`bp2.stages.qc_family.stage`)."""

from bp2.stages.qc_family.stage import (
    QcFamilyInputs,
    QcFamilyOutputs,
    QcFamilyParams,
    QcFamilyStage,
)

__all__ = ["QcFamilyInputs", "QcFamilyOutputs", "QcFamilyParams", "QcFamilyStage"]
