"""Items link to each other in a cycle.

Links run one way, from the derived item to its source (SRS → parent SRS → UN).  A cycle
(``SRS-001`` → ``SRS-002`` → ``SRS-001``, or an item listed as its own
parent) means no item in it is derived from a user need, and
makes impact analysis endless.

Fix: break the cycle by removing the link that points the wrong way.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph
from bp2.trace.ids import ItemId

IMPLEMENTS = ("SRS-041",)

CHECK = CheckInfo("link-cycle", Severity.ERROR, "items link to each other in a cycle")


def _components(nodes: list[ItemId], succ: dict[ItemId, list[ItemId]]) -> list[list[ItemId]]:
    """Strongly connected components (iterative Tarjan)."""
    index: dict[ItemId, int] = {}
    low: dict[ItemId, int] = {}
    on_stack: set[ItemId] = set()
    stack: list[ItemId] = []
    out: list[list[ItemId]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, pos = work.pop()
            if pos == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = succ.get(node, [])
            if pos < len(children):
                work.append((node, pos + 1))
                child = children[pos]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out


def _cyclic_kinds(edges: list[tuple[ItemId, ItemId]]) -> set[tuple[str, str]]:
    """Kind pairs (source kind, target kind) that lie on a cycle of the kind graph.

    Items can only form a cycle along kinds that do (in this model only SRS → SRS), so the
    item-level search is limited to those edges."""
    kinds: dict[str, set[str]] = {}
    for source, target in edges:
        kinds.setdefault(source.kind, set()).add(target.kind)
    nodes = sorted(kinds)
    succ = {kind: sorted(targets) for kind, targets in kinds.items()}
    reach: dict[str, set[str]] = {}
    for start in nodes:
        seen: set[str] = set()
        stack = list(succ.get(start, []))
        while stack:
            kind = stack.pop()
            if kind not in seen:
                seen.add(kind)
                stack.extend(succ.get(kind, []))
        reach[start] = seen
    return {(a, b) for a in nodes for b in succ[a] if a in reach.get(b, set())}


def run(graph: TraceGraph) -> Iterator[Finding]:
    pairs = [(edge.source, edge.target) for edge in graph.edges if edge.target in graph.items]
    cyclic = _cyclic_kinds(pairs)
    succ: dict[ItemId, list[ItemId]] = {}
    for source, target in pairs:
        if (source.kind, target.kind) in cyclic:
            succ.setdefault(source, []).append(target)
    nodes = sorted(succ, key=lambda i: i.sort_key)
    for component in _components(nodes, succ):
        members = sorted(component, key=lambda i: i.sort_key)
        if len(members) == 1 and members[0] not in succ.get(members[0], []):
            continue
        yield CHECK.finding(members[0], f"links form a cycle through {', '.join(members)}",
                            "remove the link that points from a source to what is derived from it",
                            graph.path_of(members[0]))
