"""The ``align`` stage (see :mod:`bp2.stages.align.stage`)."""

from bp2.stages.align.stage import AlignInputs, AlignOutputs, AlignParams, AlignStage

__all__ = ["AlignInputs", "AlignOutputs", "AlignParams", "AlignStage"]
