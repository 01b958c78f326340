"""The ``tier`` stage (see :mod:`bp2.stages.tier.stage`)."""

from bp2.stages.tier.stage import TierStage

__all__ = ["TierStage"]
