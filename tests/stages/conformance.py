"""The answer-key contract each stage's test package provides (``tests/stages/<id>/answer_key.py``).

An answer key runs the stage on fixed inputs and checks its outputs against an **independent**
source: a file in the public test data, a hand-computed case with the arithmetic written in the
test, or a second tool run in the test — never only the stage's own earlier output.  Its
``normalise`` gives canonical bytes of the output whose digest ``pipeline/stage-lock.json`` records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bp2.stages.base import StageInputs, StageOutputs, StageParams


@dataclass(frozen=True)
class AnswerKey:
    stage_id: str
    source: str  # what the independent answer is and where it comes from
    build: Callable[[Path], tuple[StageInputs, StageParams]]  # make inputs (files under tmp dir)
    check: Callable[[StageOutputs], None]  # assert the outputs agree with the independent answer
    normalise: Callable[[StageOutputs], bytes]  # canonical output bytes for the lock digest
