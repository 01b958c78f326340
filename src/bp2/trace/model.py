"""The trace model (``traceability/model.yaml``): which item kinds exist, where their files live,
which kinds each link may point at, and where code, tests and feature files are harvested.

The model is data kept with the design history, so an auditor reads the tracing policy in one
place; the engine refuses a model that names an unknown kind or link field.  The coverage rules
("every SRS needs a passing test") are the checks in :mod:`bp2.trace.checks`, each documented by
its own docstring and listed in ``traceability/checks.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bp2.trace.ids import KINDS
from bp2.trace.yamlload import load_mapping, parse

IMPLEMENTS = ("SRS-030", "SRS-041")

MODEL_PATH = Path("traceability") / "model.yaml"

LINK_FIELDS: dict[str, tuple[str, ...]] = {
    "SRS.parents": ("UN", "SRS"),
    "HAZ.controls": ("SRS",),
    "VAL.validates": ("UN",),
    "ANOM.affects": KINDS,
    "tests": KINDS,
    "code": KINDS,
}
"""Every link source the engine knows, with the kinds the model may allow it to point at."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KindSpec(_Strict):
    folder: str = Field(min_length=1, description="folder (relative to the root) of this kind")
    name: str = Field(min_length=1, description="human name, e.g. 'user need'")


class Documents(_Strict):
    intended_use: str = "requirements/intended-use.yaml"
    risk_policy: str = "risk/policy.yaml"


class TraceModel(_Strict):
    """The parsed ``traceability/model.yaml``."""

    kinds: dict[str, KindSpec]
    documents: Documents = Documents()
    links: dict[str, tuple[str, ...]]
    code: tuple[str, ...] = ("src",)
    tests: tuple[str, ...] = ("tests",)
    features: tuple[str, ...] = ()
    max_srs_per_test: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _known_names(self) -> Self:
        unknown = sorted(set(self.kinds) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown kind(s) {unknown}: allowed {list(KINDS)}")
        missing = sorted(set(KINDS) - set(self.kinds))
        if missing:
            raise ValueError(f"kind(s) {missing} have no folder")
        unknown_links = sorted(set(self.links) - set(LINK_FIELDS))
        if unknown_links:
            raise ValueError(f"unknown link(s) {unknown_links}: allowed {sorted(LINK_FIELDS)}")
        missing_links = sorted(set(LINK_FIELDS) - set(self.links))
        if missing_links:
            raise ValueError(f"link(s) {missing_links} are not declared")
        for link, targets in self.links.items():
            bad = sorted(set(targets) - set(LINK_FIELDS[link]))
            if bad:
                raise ValueError(
                    f"link {link} may not point at {bad}: allowed {list(LINK_FIELDS[link])}"
                )
        return self

    def folder_of(self, kind: str) -> str:
        return self.kinds[kind].folder

    def allowed(self, link: str) -> tuple[str, ...]:
        return self.links[link]

    @property
    def item_folders(self) -> tuple[str, ...]:
        return tuple(sorted({spec.folder for spec in self.kinds.values()}))


def load_model(root: Path) -> TraceModel:
    """Read ``traceability/model.yaml`` under ``root`` (an InputError if absent or invalid)."""
    path = root / MODEL_PATH
    data = load_mapping(path, "trace model", shown=MODEL_PATH.as_posix())
    return parse(TraceModel, data, MODEL_PATH.as_posix(), "trace model")
