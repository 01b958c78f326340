"""``bp2 trace review ID… --by NAME``: re-stamp an item's links after a human review.

Each link of the item (an SRS's ``parents``, a hazard's ``controls[*].srs``, a validation
protocol's ``validates``) is rewritten in long form with the current fingerprint of its target,
the reviewer's name and the UTC time::

    parents: [{id: UN-001, fingerprint: 3c1f…, reviewed_by: "A. Reviewer",
               reviewed_at: "2025-06-01T10:00:00Z"}]

Only the link values are replaced in the file's text: comments, key order and the layout of
every other field stay as they were.  The rewritten file is parsed again and compared with what
was intended before it replaces the original (atomically).  The name recorded is a statement of
who reviewed, not an electronic signature (21 CFR Part 11 signatures belong to the release step).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bp2.errors import InputError, UsageError
from bp2.fileio import write_text_atomic
from bp2.trace.fingerprint import fingerprint
from bp2.trace.ids import ItemId, is_item_id
from bp2.trace.items import MODELS, Hazard, Item, Link, SoftwareRequirement, ValidationProtocol
from bp2.trace.loader import DesignHistory, load_design_history

IMPLEMENTS = ("SRS-036",)

_LINK_PATHS: dict[str, tuple[str, ...]] = {
    "SRS": ("parents", "*"),
    "HAZ": ("controls", "*", "srs"),
    "VAL": ("validates", "*"),
}


@dataclass(frozen=True)
class ReviewedLink:
    item_id: str
    target: str
    field: str
    before: str  # "unreviewed" | "suspect" | "reviewed"


def _links(item: Item) -> list[Link]:
    if isinstance(item, SoftwareRequirement):
        return list(item.parents)
    if isinstance(item, Hazard):
        return [control.srs for control in item.controls]
    if isinstance(item, ValidationProtocol):
        return list(item.validates)
    return []


def _with_links(item: Item, links: list[Link]) -> Item:
    if isinstance(item, SoftwareRequirement):
        return item.model_copy(update={"parents": links})
    if isinstance(item, Hazard):
        controls = [c.model_copy(update={"srs": link}) for c, link in zip(item.controls, links,
                                                                           strict=True)]
        return item.model_copy(update={"controls": controls})
    if isinstance(item, ValidationProtocol):
        return item.model_copy(update={"validates": links})
    raise TypeError(type(item).__name__)  # pragma: no cover - guarded by _LINK_PATHS


def _find_nodes(node: yaml.Node, path: tuple[str, ...]) -> list[yaml.Node]:
    if not path:
        return [node]
    head, rest = path[0], path[1:]
    if head == "*":
        if not isinstance(node, yaml.SequenceNode):
            return []
        return [found for child in node.value for found in _find_nodes(child, rest)]
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == head:
            return _find_nodes(value, rest)
    return []


def _content_end(node: yaml.Node) -> int:
    """Index just after the node's own text (block collections end at their last value)."""
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style:
        last = node.value[-1]
        return _content_end(last[1] if isinstance(last, tuple) else last)
    return int(node.end_mark.index)


def _render(link: Link) -> str:
    assert link.fingerprint is not None and link.reviewed_at is not None
    when = link.reviewed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f"{{id: {link.id}, fingerprint: {link.fingerprint}, "
            f"reviewed_by: {json.dumps(link.reviewed_by, ensure_ascii=False)}, "
            f"reviewed_at: \"{when}\"}}")


def _rewrite(text: str, kind: str, new_links: list[Link | None]) -> str:
    """Replace the text of each link value that has a new stamp (``None``: leave it)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is None:
        raise ValueError("empty document")
    nodes = _find_nodes(root, _LINK_PATHS[kind])
    if len(nodes) != len(new_links):
        raise ValueError(f"found {len(nodes)} link values, expected {len(new_links)}")
    spans = sorted(((int(n.start_mark.index), _content_end(n), _render(link))
                    for n, link in zip(nodes, new_links, strict=True) if link is not None),
                   reverse=True)
    for start, end, replacement in spans:
        text = text[:start] + replacement + text[end:]
    return text


def _state(link: Link, current: str) -> str:
    if not link.reviewed:
        return "unreviewed"
    return "reviewed" if link.fingerprint == current else "suspect"


def review(
    root: Path, item_ids: list[str], by: str, *, parent: str | None = None,
    now: datetime | None = None,
) -> list[ReviewedLink]:
    """Re-stamp the links of each item (or only those to ``parent``); return what changed."""
    reviewer = " ".join(by.split())
    if not reviewer:
        raise UsageError("--by needs the reviewer's name", hint="e.g. --by 'A. Reviewer'")
    stamp_time = (now or datetime.now(UTC)).replace(microsecond=0)
    history = load_design_history(root)
    done: list[ReviewedLink] = []
    for raw in item_ids:
        done.extend(_review_one(history, raw, reviewer, parent, stamp_time))
    return done


def _review_one(history: DesignHistory, raw: str, reviewer: str, parent: str | None,
                when: datetime) -> list[ReviewedLink]:
    if not is_item_id(raw) or ItemId(raw) not in history.items:
        raise UsageError(f"unknown item '{raw}'", hint="give the ID of an existing item")
    item_id = ItemId(raw)
    item = history.items[item_id]
    if item_id.kind not in _LINK_PATHS:
        raise UsageError(f"{item_id} has no links to review",
                         hint="only SRS, HAZ and VAL links carry review stamps")
    links = _links(item)
    if parent is not None and all(link.id != parent for link in links):
        raise UsageError(f"{item_id} has no link to {parent}")
    field = _LINK_PATHS[item_id.kind][0]
    stamped: list[Link] = []
    changes: list[Link | None] = []
    done: list[ReviewedLink] = []
    for index, link in enumerate(links):
        if parent is not None and link.id != parent:
            stamped.append(link)
            changes.append(None)
            continue
        target = history.items.get(link.id)
        if target is None:
            raise InputError(f"{item_id} links to {link.id}, which does not exist",
                             path=history.paths[item_id], field=f"{field}[{index}]",
                             hint="fix the link before reviewing it")
        current = fingerprint(target)
        new = Link(id=link.id, fingerprint=current, reviewed_by=reviewer, reviewed_at=when)
        stamped.append(new)
        changes.append(new)
        done.append(ReviewedLink(item_id, link.id, f"{field}[{index}]", _state(link, current)))
    rel = history.paths[item_id]
    path = history.root / rel
    text = path.read_text(encoding="utf-8")
    try:
        new_text = _rewrite(text, item_id.kind, changes)
        reparsed: Any = yaml.safe_load(new_text)
        check = MODELS[item_id.kind].model_validate(reparsed)
    except (ValueError, yaml.YAMLError) as exc:
        raise InputError(f"cannot rewrite the links of {item_id} in place: {exc}", path=rel,
                         hint="write the links as a YAML list of IDs and review again") from None
    expected = _with_links(item, stamped)
    if check.model_dump(exclude={"id"}) != expected.model_dump(exclude={"id"}):
        raise InputError(f"rewriting the links of {item_id} would change other fields",
                         path=rel, hint="write the links as a YAML list of IDs and review again")
    write_text_atomic(path, new_text)
    return done
