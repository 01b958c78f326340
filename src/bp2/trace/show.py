"""``bp2 trace show ID``: an item's chain up (what it derives from) and down (what derives from
it, implements it and verifies it), with its findings.

Up and down follow the two chains of the matrix: UN → SRS → code → tests, and
HAZ → control → SRS → tests.  So above an SRS are its parent SRS and user needs and the hazards
it controls; below it are derived SRS, the code that implements it and the tests that verify it.
"""

from __future__ import annotations

from bp2.errors import UsageError
from bp2.trace.findings import Finding
from bp2.trace.graph import Edge, TraceGraph
from bp2.trace.ids import ItemId, is_item_id
from bp2.trace.items import Anomaly, Hazard, SoftwareRequirement, ValidationProtocol

IMPLEMENTS = ("SRS-048",)

_INDENT = "  "


def _title(graph: TraceGraph, item_id: str) -> str:
    item = graph.items.get(ItemId(item_id)) if is_item_id(item_id) else None
    return "(unknown item)" if item is None else item.title


def _link_state(graph: TraceGraph, edge: Edge) -> str:
    stored = edge.stored
    if stored is None:
        return ""
    if graph.is_suspect(edge):
        return " [SUSPECT: target changed since review]"
    if stored.reviewed and stored.reviewed_at is not None:
        return f" [reviewed by {stored.reviewed_by} {stored.reviewed_at.date().isoformat()}]"
    return " [unreviewed]"


def _up(graph: TraceGraph, item_id: ItemId, depth: int, seen: set[str], out: list[str]) -> None:
    pad = _INDENT * depth
    for edge in graph.outgoing.get(item_id, []):
        if edge.link == "HAZ.controls":
            continue  # a hazard's controls are below it
        out.append(f"{pad}{edge.target}  {_title(graph, edge.target)}  ({edge.path})"
                   f"{_link_state(graph, edge)}")
        if edge.target in graph.items and edge.target not in seen:
            seen.add(edge.target)
            _up(graph, edge.target, depth + 1, seen, out)
    for edge in graph.children(item_id, "HAZ.controls"):
        out.append(f"{pad}{edge.source}  {_title(graph, edge.source)}  (risk control, "
                   f"{edge.path}){_link_state(graph, edge)}")


def _verification(graph: TraceGraph, item_id: ItemId, pad: str, out: list[str]) -> None:
    for ref in sorted(graph.code_for.get(item_id, []), key=lambda r: (r.path, r.line)):
        out.append(f"{pad}code   {ref.label}")
    item = graph.items.get(item_id)
    if isinstance(item, SoftwareRequirement) and item.exemption and not graph.code_for.get(
            item_id):
        out.append(f"{pad}code   (exempt: {' '.join(item.exemption.split())})")
    results = sorted(graph.results_for.get(item_id, []), key=lambda r: r.nodeid)
    for loaded in results:
        r = loaded
        out.append(f"{pad}test   {r.outcome:<8} {r.nodeid} ({r.duration:.2f} s)")
    if not results:
        for marker in sorted(graph.markers_for.get(item_id, []),
                             key=lambda m: (m.path, m.line)):
            out.append(f"{pad}test   no result {marker.path}:{marker.line} {marker.owner}")


def _down(graph: TraceGraph, item_id: ItemId, depth: int, seen: set[str],
          out: list[str]) -> None:
    pad = _INDENT * depth
    item = graph.items.get(item_id)
    if isinstance(item, Hazard):
        for index, control in enumerate(item.controls, start=1):
            srs = control.srs.id
            out.append(f"{pad}control {index}: {' '.join(control.measure.split())}")
            out.append(f"{pad}{_INDENT}{srs}  {_title(graph, srs)}")
            if srs in graph.items and srs not in seen:
                seen.add(srs)
                _verification(graph, srs, pad + _INDENT * 2, out)
        return
    for edge in graph.children(item_id):
        if edge.link == "HAZ.controls":
            continue
        source = graph.items[edge.source]
        extra = ""
        if isinstance(source, ValidationProtocol):
            extra = f" (validation, {source.status})"
        elif isinstance(source, Anomaly):
            extra = f" (anomaly, {source.status})"
        out.append(f"{pad}{edge.source}  {_title(graph, edge.source)}{extra}"
                   f"{_link_state(graph, edge)}")
        if edge.link == "SRS.parents" and edge.source not in seen:
            seen.add(edge.source)
            _down(graph, edge.source, depth + 1, seen, out)
    _verification(graph, item_id, pad, out)


def show_lines(graph: TraceGraph, item_id: str, findings: list[Finding]) -> list[str]:
    """The text ``bp2 trace show`` prints."""
    if not is_item_id(item_id) or ItemId(item_id) not in graph.items:
        raise UsageError(f"unknown item '{item_id}'",
                         hint="give the ID of an item in the design history, e.g. SRS-012")
    key = ItemId(item_id)
    item = graph.items[key]
    kind = graph.model.kinds[key.kind].name
    out = [f"{key}  {item.title}", f"{_INDENT}{kind} · {graph.path_of(key)}"]
    if isinstance(item, SoftwareRequirement):
        out.append(f"{_INDENT}{item.type} · safety class {item.safety_class}")
    statement = getattr(item, "statement", None)
    if isinstance(statement, str):
        out.append(f"{_INDENT}{' '.join(statement.split())}")
    if isinstance(item, Hazard):
        initial, residual = graph.initial_risk(item), graph.residual_risk(item)
        out.append(f"{_INDENT}harm: {' '.join(item.harm.split())}")
        out.append(f"{_INDENT}initial risk: {initial.label if initial else '(no policy)'}")
        out.append(f"{_INDENT}residual risk: {residual.label if residual else '(no policy)'}")
    up: list[str] = []
    _up(graph, key, 2, {key}, up)
    down: list[str] = []
    _down(graph, key, 2, {key}, down)
    out += ["up:", *(up or [_INDENT * 2 + "(nothing)"])]
    out += ["down:", *(down or [_INDENT * 2 + "(nothing)"])]
    mine = [f for f in findings if f.item_id == key]
    out.append("findings:")
    out += [f"{_INDENT * 2}{f.severity:<7} {f.check_id}: {f.message}" for f in mine] or [
        _INDENT * 2 + "(none)"]
    return out
