"""Fingerprints of an item's normative content, stored in links to detect suspect children.

A link records the fingerprint of its target as it was when the link was reviewed.  When the
target's normative content changes, the stored and current fingerprints differ and the linking
item is *suspect* until someone reviews it again (``bp2 trace review``).

Normative content, per kind (editorial fields such as ``title`` or ``rationale`` are left out,
and runs of whitespace count as one space so re-wrapping a YAML paragraph changes nothing):

* ``UN``: statement
* ``SRS``: statement
* ``HAZ``: hazard, hazardous situation, harm
* ``VAL``: method and acceptance criteria
* ``ANOM``: description
"""

from __future__ import annotations

import hashlib

from bp2.trace.items import (
    Anomaly,
    Hazard,
    Item,
    SoftwareRequirement,
    UserNeed,
    ValidationProtocol,
)

IMPLEMENTS = ("SRS-035",)


def _norm(text: str) -> str:
    return " ".join(text.split())


def normative_content(item: Item) -> tuple[str, ...]:
    """The item's kind and the fields whose change makes its children suspect, normalised."""
    if isinstance(item, UserNeed | SoftwareRequirement):
        fields: tuple[str, ...] = (_norm(item.statement),)
    elif isinstance(item, Hazard):
        fields = (_norm(item.hazard), _norm(item.hazardous_situation), _norm(item.harm))
    elif isinstance(item, ValidationProtocol):
        fields = (_norm(item.method), *(
            f"{c.metric}|{c.comparator}|{c.threshold!r}|{c.unit or ''}"
            for c in item.acceptance_criteria))
    elif isinstance(item, Anomaly):
        fields = (_norm(item.description),)
    else:  # pragma: no cover - Item is a closed union
        raise TypeError(type(item).__name__)
    return (item.id.kind, *fields)


def fingerprint(item: Item) -> str:
    """Hex sha256 of the normative content (fields joined by the ASCII unit separator)."""
    return hashlib.sha256("\x1f".join(normative_content(item)).encode("utf-8")).hexdigest()
