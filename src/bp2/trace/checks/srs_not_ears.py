"""A software requirement's statement does not follow an EARS pattern.

EARS (Easy Approach to Requirements Syntax) statements start with one of: ``The <system> shall``
(ubiquitous), ``When <trigger>,`` (event), ``While <state>,`` (state), ``If <condition>, then``
(unwanted behaviour) or ``Where <feature>,`` (optional feature), followed by one ``shall``
response.  The loader already refuses a statement without ``shall``; this check warns about the
rest of the form.

Fix: rewrite the statement in one of the patterns above.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph

IMPLEMENTS = ("SRS-042",)

CHECK = CheckInfo("srs-not-ears", Severity.WARNING,
                  "a software requirement is not written in an EARS pattern")

_EARS = re.compile(r"^(the|when|while|if|where)\b", re.IGNORECASE)


def run(graph: TraceGraph) -> Iterator[Finding]:
    for srs_id, srs in graph.requirements():
        text = srs.statement.strip()
        if _EARS.match(text) is None:
            yield CHECK.finding(srs_id, f"statement starts '{' '.join(text.split()[:4])} …'",
                                "start with 'The <system> shall', 'When', 'While', 'If … then' "
                                "or 'Where'", graph.path_of(srs_id))
        elif text.lower().startswith("if ") and not re.search(r"\bthen\b", text,
                                                               re.IGNORECASE):
            yield CHECK.finding(srs_id, "an 'If' statement has no 'then'",
                                "write 'If <condition>, then the <system> shall …'",
                                graph.path_of(srs_id))
