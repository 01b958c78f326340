"""The risk policy (``risk/policy.yaml``): severity and probability scales, risk levels and the
acceptability matrix (ISO 14971 clause 4.4 c).

Initial and residual risk levels, and whether they are acceptable, are *computed* here from a
hazard's severity and probability; a hazard file never states them.  The policy is refused unless
every severity × probability cell names a defined level and the matrix never ranks a risk lower
when severity or probability rises.

Probability follows IEC/TR 80002-1: the probability of a software failure is taken as 1, so the
probability scale is the probability that the failure leads to harm.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bp2.trace.yamlload import load_mapping, parse

IMPLEMENTS = ("SRS-033", "SRS-034")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScaleStep(_Strict):
    name: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_-]*$")
    description: str = Field(min_length=1)


class RiskLevel(_Strict):
    name: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_-]*$")
    acceptable: bool
    description: str = Field(min_length=1)


@dataclass(frozen=True)
class Assessment:
    """A computed risk: the inputs and what the policy makes of them."""

    severity: str
    probability: str
    level: str
    acceptable: bool

    @property
    def label(self) -> str:
        verdict = "acceptable" if self.acceptable else "NOT acceptable"
        return f"{self.level} ({self.severity} × {self.probability}, {verdict})"


class RiskPolicy(_Strict):
    """The parsed risk policy.  Scales are listed from least to most severe / likely."""

    severity: tuple[ScaleStep, ...] = Field(min_length=2)
    probability: tuple[ScaleStep, ...] = Field(min_length=2)
    levels: tuple[RiskLevel, ...] = Field(min_length=2)
    matrix: dict[str, tuple[str, ...]]

    @model_validator(mode="after")
    def _complete_and_monotonic(self) -> Self:
        for scale_name, scale in (
            ("severity", self.severity),
            ("probability", self.probability),
            ("levels", self.levels),
        ):
            names = [step.name for step in scale]
            if len(set(names)) != len(names):
                raise ValueError(f"{scale_name} names must be unique, got {names}")
        if not any(level.acceptable for level in self.levels):
            raise ValueError("at least one risk level must be acceptable")
        sev_names = [s.name for s in self.severity]
        if sorted(self.matrix) != sorted(sev_names):
            raise ValueError(
                f"matrix must have exactly one row per severity {sev_names}, "
                f"got {list(self.matrix)}"
            )
        level_rank = {level.name: rank for rank, level in enumerate(self.levels)}
        width = len(self.probability)
        for sev, row in self.matrix.items():
            if len(row) != width:
                raise ValueError(
                    f"matrix row '{sev}' has {len(row)} cells; it needs one per probability "
                    f"({width}: {[p.name for p in self.probability]})"
                )
            unknown = [cell for cell in row if cell not in level_rank]
            if unknown:
                raise ValueError(
                    f"matrix row '{sev}' names unknown level(s) {unknown}: "
                    f"allowed {list(level_rank)}"
                )
        ranks = [[level_rank[c] for c in self.matrix[s]] for s in sev_names]
        for i, row_ranks in enumerate(ranks):
            for j, rank in enumerate(row_ranks):
                if j and rank < row_ranks[j - 1]:
                    raise ValueError(
                        f"matrix row '{sev_names[i]}' ranks the risk lower at a higher "
                        f"probability ('{self.probability[j].name}'); risk must not fall as "
                        "probability rises"
                    )
                if i and rank < ranks[i - 1][j]:
                    raise ValueError(
                        f"matrix column '{self.probability[j].name}' ranks the risk lower at "
                        f"higher severity ('{sev_names[i]}'); risk must not fall as severity rises"
                    )
        return self

    # --- lookups -------------------------------------------------------------------------------

    @property
    def severity_names(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.severity)

    @property
    def probability_names(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.probability)

    def severity_rank(self, name: str) -> int:
        return self.severity_names.index(name)

    def probability_rank(self, name: str) -> int:
        return self.probability_names.index(name)

    def level(self, name: str) -> RiskLevel:
        for level in self.levels:
            if level.name == name:
                return level
        raise KeyError(name)

    def assess(self, severity: str, probability: str) -> Assessment:
        """The risk level of a severity × probability pair and whether it is acceptable."""
        cell = self.matrix[severity][self.probability_rank(probability)]
        return Assessment(severity, probability, cell, self.level(cell).acceptable)


POLICY_ROLE = "risk policy"


def load_policy(path: Path, shown: str) -> RiskPolicy:
    return parse(RiskPolicy, load_mapping(path, POLICY_ROLE, shown=shown), shown, POLICY_ROLE)
