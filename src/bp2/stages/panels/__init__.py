"""The ``panels`` stage (see :mod:`bp2.stages.panels.stage`)."""

from bp2.stages.panels.stage import PanelsStage

__all__ = ["PanelsStage"]
