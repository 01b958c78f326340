"""Acceptance criteria evaluated against measured figures, with Wilson intervals."""

from __future__ import annotations

import pytest

from bp2.trace.items import AcceptanceCriterion
from bp2.validation.criteria import Counts, Figures, counts_figures, evaluate


def criterion(measure: str, comparator: str, threshold: float) -> AcceptanceCriterion:
    return AcceptanceCriterion.model_validate(
        {"metric": measure, "measure": measure, "comparator": comparator,
         "threshold": threshold})


@pytest.mark.verifies("SRS-332")
def test_recall_criterion_carries_the_wilson_interval() -> None:
    """It passes 48/48 against 0.979 and reports the 95 % lower bound 0.926 beside it."""
    figures = counts_figures("bp2", {"ALL": Counts(48, 0, 48, 0)})
    result = evaluate(criterion("bp2.ALL.recall", ">=", 0.979), figures)
    assert result.passed and result.value == 1.0 and result.n == 48
    assert result.ci_low is not None and round(result.ci_low, 3) == 0.926
    failed = evaluate(criterion("bp2.ALL.recall", ">=", 0.99),
                      counts_figures("bp2", {"ALL": Counts(47, 1, 47, 0)}))
    assert not failed.passed and round(failed.value or 0, 4) == 0.9792


@pytest.mark.verifies("SRS-332")
@pytest.mark.parametrize(("comparator", "threshold", "expected"), [
    ("<", 0, True), ("<=", -3, True), ("<", -3, False), ("==", -3, True), (">", -4, True),
    (">=", -2, False)])
def test_comparators(comparator: str, threshold: float, expected: bool) -> None:
    """It applies each comparator of the protocol schema to the figure."""
    figures = Figures.empty()
    figures.set("errors.ALL.bp2_minus_bare", -3)
    result = evaluate(criterion("errors.ALL.bp2_minus_bare", comparator, threshold), figures)
    assert result.passed is expected


@pytest.mark.verifies("SRS-332")
def test_a_missing_figure_fails_the_criterion() -> None:
    """It fails a criterion whose figure was not produced (zero denominator, unknown measure)."""
    figures = counts_figures("bp2", {"INDEL": Counts(0, 0, 0, 0)})
    for measure in ("bp2.INDEL.recall", "no.such.measure"):
        result = evaluate(criterion(measure, ">=", 0.0), figures)
        assert not result.passed and result.value is None
        assert "was not produced" in result.description


@pytest.mark.verifies("SRS-332")
def test_counts_add_and_errors() -> None:
    """It sums strata and counts errors as FP + FN, precision from query TP as hap.py does."""
    total = Counts(10, 1, 11, 2) + Counts(5, 0, 5, 1)
    assert total == Counts(15, 1, 16, 3) and total.errors == 4
    figures = counts_figures("x", {"ALL": total})
    assert figures.values["x.ALL.precision"] == 16 / 19
    assert figures.values["x.ALL.recall.n"] == 16
