"""The trace graph: items and their links, joined with harvested code and test markers and with
test results.  Checks and matrices are pure functions of this graph.

Edges go from the item that *holds* the link to its target (SRS → parent UN, HAZ → control SRS,
VAL → validated UN, ANOM → affected item).  Code and tests are not items; they are indexed by the
ID strings they claim, so a claim of an unknown ID is still visible to the checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bp2.trace.fingerprint import fingerprint
from bp2.trace.harvest import CodeRef, Harvest, Marker
from bp2.trace.ids import ItemId
from bp2.trace.items import (
    Anomaly,
    Hazard,
    Item,
    Link,
    SoftwareRequirement,
    ValidationProtocol,
)
from bp2.trace.loader import DesignHistory
from bp2.trace.policy import Assessment
from bp2.trace.results import LoadedResult, Outcome, ResultsSource

IMPLEMENTS = ("SRS-041", "SRS-042")


@dataclass
class Tally:
    """How the tests linked to one ID ended."""

    passed: int = 0
    failed: int = 0
    not_run: int = 0

    def add(self, outcome: Outcome) -> None:
        if outcome.passing:
            self.passed += 1
        elif outcome.failing:
            self.failed += 1
        else:
            self.not_run += 1


@dataclass(frozen=True)
class Edge:
    """A link held by ``source`` (field ``path``) pointing at ``target``."""

    source: ItemId
    target: ItemId
    link: str  # trace-model link name, e.g. "SRS.parents"
    path: str  # field path in the source file, e.g. "parents[1]" or "controls[0].srs"
    stored: Link | None  # the link record when it can carry a fingerprint


def _edges_of(item: Item) -> Iterator[Edge]:
    if isinstance(item, SoftwareRequirement):
        for i, link in enumerate(item.parents):
            yield Edge(item.id, link.id, "SRS.parents", f"parents[{i}]", link)
    elif isinstance(item, Hazard):
        for i, control in enumerate(item.controls):
            yield Edge(item.id, control.srs.id, "HAZ.controls", f"controls[{i}].srs", control.srs)
    elif isinstance(item, ValidationProtocol):
        for i, link in enumerate(item.validates):
            yield Edge(item.id, link.id, "VAL.validates", f"validates[{i}]", link)
    elif isinstance(item, Anomaly):
        for i, target in enumerate(item.affects):
            yield Edge(item.id, target, "ANOM.affects", f"affects[{i}]", None)
        if item.risk_evaluation is not None:
            for i, target in enumerate(item.risk_evaluation.hazards):
                yield Edge(item.id, target, "ANOM.affects", f"risk_evaluation.hazards[{i}]",
                           None)


@dataclass(frozen=True)
class RiskChange:
    """One risk dimension (severity or probability) of a hazard before and after its controls."""

    dimension: str
    before: str
    after: str
    before_rank: int
    after_rank: int


class TraceGraph:
    """Items, links, code, test markers and results, indexed for the checks."""

    def __init__(
        self,
        history: DesignHistory,
        harvest: Harvest,
        results: list[LoadedResult],
        sources: list[ResultsSource],
    ) -> None:
        self.history = history
        self.model = history.model
        self.items = history.items
        self.policy = history.policy
        self.harvest = harvest
        self.results = results
        self.sources = sources
        self.edges: list[Edge] = [edge for item in self.items.values() for edge in _edges_of(item)]
        self.incoming: dict[str, list[Edge]] = defaultdict(list)
        self.outgoing: dict[str, list[Edge]] = defaultdict(list)
        for edge in self.edges:
            self.incoming[edge.target].append(edge)
            self.outgoing[edge.source].append(edge)
        self.code_for: dict[str, list[CodeRef]] = defaultdict(list)
        for ref in harvest.code:
            for claimed in ref.ids:
                self.code_for[claimed].append(ref)
        self.markers_for: dict[str, list[Marker]] = defaultdict(list)
        for marker in harvest.markers:
            self.markers_for[marker.id].append(marker)
        self.results_for: dict[str, list[LoadedResult]] = defaultdict(list)
        self.tally: dict[str, Tally] = {}
        for loaded in results:
            outcome = loaded.outcome
            for claimed in dict.fromkeys(loaded.ids):
                self.results_for[claimed].append(loaded)
                tally = self.tally.get(claimed)
                if tally is None:
                    tally = self.tally[claimed] = Tally()
                tally.add(outcome)
        self.validation_records: dict[str, Any] = {}  # VAL ID → bp2.validation ValidationRecord
        self._fingerprints: dict[str, str] = {}
        self._by_kind: dict[str, list[ItemId]] = {}
        self._suspects: set[int] | None = None

    # --- lookups ---------------------------------------------------------------------------------

    def ids(self, kind: str) -> list[ItemId]:
        """IDs of one kind in ID order (computed once)."""
        found = self._by_kind.get(kind)
        if found is None:
            found = self._by_kind[kind] = self.history.of_kind(kind)
        return found

    def path_of(self, item_id: str) -> str:
        return self.history.paths.get(ItemId(item_id), "") if item_id in self.items else ""

    def fingerprint(self, item_id: ItemId) -> str:
        cached = self._fingerprints.get(item_id)
        if cached is None:
            cached = self._fingerprints[item_id] = fingerprint(self.items[item_id])
        return cached

    def is_suspect(self, edge: Edge) -> bool:
        """A reviewed link whose target's normative content changed since the review."""
        if self._suspects is None:
            self._suspects = {id(e) for e in self.edges if self._changed(e)}
        return id(edge) in self._suspects

    def _changed(self, edge: Edge) -> bool:
        stored = edge.stored
        if stored is None or stored.fingerprint is None or edge.target not in self.items:
            return False
        return stored.fingerprint != self.fingerprint(edge.target)

    def children(self, item_id: str, link: str | None = None) -> list[Edge]:
        edges = self.incoming.get(item_id, [])
        return [e for e in edges if link is None or e.link == link]

    def has_passing_test(self, item_id: str) -> bool:
        """At least one test linked to the item passed."""
        tally = self.tally.get(item_id)
        return tally is not None and tally.passed > 0

    def initial_risk(self, hazard: Hazard) -> Assessment | None:
        return None if self.policy is None else self.policy.assess(hazard.severity,
                                                                   hazard.probability)

    def residual_risk(self, hazard: Hazard) -> Assessment | None:
        if self.policy is None:
            return None
        return self.policy.assess(hazard.residual.severity, hazard.residual.probability)

    def risk_changes(self, hazard: Hazard) -> Iterator[RiskChange]:
        """Each risk dimension of a hazard with its initial and residual value and their ranks."""
        if self.policy is None:
            return
        for dimension, before, after, rank in (
            ("severity", hazard.severity, hazard.residual.severity, self.policy.severity_rank),
            ("probability", hazard.probability, hazard.residual.probability,
             self.policy.probability_rank),
        ):
            yield RiskChange(dimension, before, after, rank(before), rank(after))

    def hazards(self) -> Iterator[tuple[ItemId, Hazard]]:
        for item_id in self.ids("HAZ"):
            item = self.items[item_id]
            assert isinstance(item, Hazard)
            yield item_id, item

    def requirements(self) -> Iterator[tuple[ItemId, SoftwareRequirement]]:
        for item_id in self.ids("SRS"):
            item = self.items[item_id]
            assert isinstance(item, SoftwareRequirement)
            yield item_id, item

    def user_needs_above(self, srs_id: ItemId) -> list[ItemId]:
        """The UNs reached by following SRS parents upwards (cycle-safe), in ID order."""
        found: set[ItemId] = set()
        seen: set[ItemId] = set()
        stack = [srs_id]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            for edge in self.outgoing.get(current, []):
                if edge.link != "SRS.parents" or edge.target not in self.items:
                    continue
                if edge.target.kind == "UN":
                    found.add(edge.target)
                elif edge.target.kind == "SRS":
                    stack.append(edge.target)
        return sorted(found, key=lambda i: i.sort_key)
