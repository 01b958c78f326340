"""Two small stages used as test doubles for the engine (not part of the product registry).

``toy_count`` (per sample) counts the lines of a sample's first FASTQ; ``toy_sum`` (per case)
adds the counts.  The arithmetic is trivial so engine tests can check every number by hand.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import ClassVar

from bp2.stages.base import (
    BindContext,
    Scope,
    Stage,
    StageContext,
    StageInputs,
    StageOutputs,
    StageParams,
)


class CountInputs(StageInputs):
    sample: str
    reads: Path


class CountOutputs(StageOutputs):
    counts: Path


class CountParams(StageParams):
    multiplier: int = 1
    max_lines: int = 1000  # a QC threshold: more lines than this fails the sample


class ToyCount(Stage[CountInputs, CountOutputs, CountParams]):
    ID: ClassVar[str] = "toy_count"
    VERSION: ClassVar[str] = "1.0.0"
    IMPLEMENTS: ClassVar[tuple[str, ...]] = ("SRS-001",)
    TOOLS: ClassVar[tuple[str, ...]] = ("numpy",)
    SCOPE: ClassVar[Scope] = Scope.SAMPLE
    DESCRIPTION: ClassVar[str] = "count lines (test double)"
    Inputs = CountInputs
    Outputs = CountOutputs
    Params = CountParams

    fail_for: ClassVar[set[str]] = set()
    barrier: ClassVar[threading.Barrier | None] = None  # set by a test to prove concurrency

    def run(self, inputs: CountInputs, params: CountParams, ctx: StageContext) -> CountOutputs:
        if self.barrier is not None:
            self.barrier.wait()  # raises BrokenBarrierError unless both units run at once
        target = ctx.path("counts.json")
        with ctx.atomic(target) as tmp:
            lines = len(inputs.reads.read_text().splitlines())
            count = lines * params.multiplier
            qc_pass = count <= params.max_lines
            tmp.write_text(
                json.dumps({"sample": inputs.sample, "lines": count, "qc_pass": qc_pass})
            )
            if inputs.sample in self.fail_for:
                raise RuntimeError(f"injected failure for {inputs.sample}")
        return CountOutputs(counts=target)

    def gate_failures(self, outputs: CountOutputs) -> tuple[str, ...]:
        result = json.loads(outputs.counts.read_text())
        return () if result["qc_pass"] else (f"{result['lines']} lines is above the maximum",)

    def bind(self, ctx: BindContext, unit: str) -> CountInputs:
        row = ctx.case.samplesheet.row(unit)
        assert row.fastq_1 is not None
        return CountInputs(sample=unit, reads=row.fastq_1)


class SumInputs(StageInputs):
    counts: tuple[Path, ...]
    accepted: str | None = None


class SumOutputs(StageOutputs):
    total: Path


class SumParams(StageParams):
    pass


class ToySum(Stage[SumInputs, SumOutputs, SumParams]):
    ID: ClassVar[str] = "toy_sum"
    VERSION: ClassVar[str] = "1.0.0"
    IMPLEMENTS: ClassVar[tuple[str, ...]] = ("SRS-001",)
    TOOLS: ClassVar[tuple[str, ...]] = ()
    SCOPE: ClassVar[Scope] = Scope.CASE
    GATED: ClassVar[bool] = True
    DESCRIPTION: ClassVar[str] = "sum counts (test double)"
    Inputs = SumInputs
    Outputs = SumOutputs
    Params = SumParams

    def run(self, inputs: SumInputs, params: SumParams, ctx: StageContext) -> SumOutputs:
        total = sum(json.loads(p.read_text())["lines"] for p in inputs.counts)
        target = ctx.path("total.txt")
        with ctx.atomic(target) as tmp:
            note = f" (QC failure accepted: {inputs.accepted})" if inputs.accepted else ""
            tmp.write_text(f"{total}{note}\n")
        return SumOutputs(total=target)

    def bind(self, ctx: BindContext, unit: str) -> SumInputs:
        counts = []
        for sample in ctx.case.samplesheet.sample_ids:
            out = ctx.output("toy_count", sample)
            assert isinstance(out, CountOutputs)
            counts.append(out.counts)
        return SumInputs(counts=tuple(counts), accepted=ctx.qc_accepted_reason)
