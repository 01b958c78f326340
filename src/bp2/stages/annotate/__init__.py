"""The ``annotate`` stage (see :mod:`bp2.stages.annotate.stage`)."""

from bp2.stages.annotate.stage import (
    AnnotateInputs,
    AnnotateOutputs,
    AnnotateParams,
    AnnotateStage,
)

__all__ = ["AnnotateInputs", "AnnotateOutputs", "AnnotateParams", "AnnotateStage"]
