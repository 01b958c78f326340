"""The ``report`` stage (see :mod:`bp2.stages.report.stage`)."""

from bp2.stages.report.stage import ReportStage

__all__ = ["ReportStage"]
