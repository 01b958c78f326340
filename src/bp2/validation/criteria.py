"""Acceptance criteria: evaluate a protocol's criteria against the figures an execution measured.

An execution produces *figures* — a flat mapping of measure names to numbers, e.g.
``bp2.ALL.recall``, ``bare.SNP.precision``, ``errors.bp2_minus_bare`` — and, for proportions,
their Wilson 95 % interval and denominator under the same name (``intervals``).  A criterion
names its ``measure``; the verdict compares the figure with the threshold.  A figure the
execution could not produce (a proportion with a zero denominator, a measure it does not know)
fails the criterion — a missing number is never a pass.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bp2.benchmark.stats import wilson_interval
from bp2.trace.items import AcceptanceCriterion
from bp2.validation.record import CriterionResult

IMPLEMENTS = ("SRS-332",)

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
    "==": lambda a, b: math.isclose(a, b, rel_tol=0.0, abs_tol=1e-9),
}


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    n: int


@dataclass
class Figures:
    """Measured figures of one execution, with intervals for proportions."""

    values: dict[str, float | int]
    intervals: dict[str, Interval]

    @classmethod
    def empty(cls) -> Figures:
        return cls({}, {})

    def set(self, name: str, value: float | int) -> None:
        self.values[name] = value

    def proportion(self, name: str, successes: int, total: int) -> None:
        """Record ``successes / total`` with its Wilson interval (skipped when total is 0)."""
        self.values[f"{name}.n"] = total
        if total == 0:
            return
        low, high = wilson_interval(successes, total)
        self.values[name] = successes / total
        self.values[f"{name}.ci_low"] = low
        self.values[f"{name}.ci_high"] = high
        self.intervals[name] = Interval(low, high, total)

    def update(self, other: Figures, prefix: str = "") -> None:
        for k, v in other.values.items():
            self.values[prefix + k] = v
        for k, i in other.intervals.items():
            self.intervals[prefix + k] = i


def evaluate(criterion: AcceptanceCriterion, figures: Figures) -> CriterionResult:
    """The verdict of one criterion: the figure compared with the threshold."""
    measure = criterion.measure
    value = None if measure is None else figures.values.get(measure)
    interval = None if measure is None else figures.intervals.get(measure)
    ok = (value is not None and math.isfinite(float(value))
          and _COMPARE[criterion.comparator](float(value), criterion.threshold))
    return CriterionResult(
        metric=criterion.metric, comparator=criterion.comparator,
        threshold=criterion.threshold, value=None if value is None else float(value),
        ci_low=None if interval is None else interval.low,
        ci_high=None if interval is None else interval.high,
        n=None if interval is None else interval.n, passed=ok,
        description=(criterion.description or "") if value is not None
        else f"measure '{measure}' was not produced by the execution",
    )


def evaluate_all(criteria: Sequence[AcceptanceCriterion], figures: Figures
                 ) -> list[CriterionResult]:
    return [evaluate(c, figures) for c in criteria]


@dataclass(frozen=True)
class Counts:
    """One benchmark stratum: truth TP/FN and query TP/FP (hap.py's TRUTH.* and QUERY.*)."""

    truth_tp: int
    truth_fn: int
    query_tp: int
    query_fp: int

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.truth_tp + other.truth_tp, self.truth_fn + other.truth_fn,
                      self.query_tp + other.query_tp, self.query_fp + other.query_fp)

    @property
    def errors(self) -> int:
        return self.query_fp + self.truth_fn


def counts_figures(prefix: str, counts: Mapping[str, Counts]) -> Figures:
    """Figures of a benchmark: per stratum → TP/FP/FN, errors, recall and precision with CIs.

    Recall is truth TP / (truth TP + FN); precision is query TP / (query TP + FP), as hap.py.
    """
    out = Figures.empty()
    for stratum, c in counts.items():
        base = f"{prefix}.{stratum}"
        out.set(f"{base}.tp", c.truth_tp)
        out.set(f"{base}.query_tp", c.query_tp)
        out.set(f"{base}.fp", c.query_fp)
        out.set(f"{base}.fn", c.truth_fn)
        out.set(f"{base}.errors", c.errors)
        out.proportion(f"{base}.recall", c.truth_tp, c.truth_tp + c.truth_fn)
        out.proportion(f"{base}.precision", c.query_tp, c.query_tp + c.query_fp)
    return out
