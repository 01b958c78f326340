"""The ``call`` stage (see :mod:`bp2.stages.call.stage`)."""

from bp2.stages.call.stage import CallInputs, CallOutputs, CallParams, CallStage, SampleAlignment

__all__ = ["CallInputs", "CallOutputs", "CallParams", "CallStage", "SampleAlignment"]
