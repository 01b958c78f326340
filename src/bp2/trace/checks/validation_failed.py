"""A validation protocol was executed and failed.

A protocol with ``status: failed`` means the product did not meet the user needs it validates;
every need it names is reported.  So does an executed record of the protocol with status
``failed`` (``bp2 trace check --validation-results DIR``, records written by ``bp2 validate``),
with the criteria that failed.

Fix: investigate (record an anomaly), correct the product, and re-execute the protocol.
"""

from __future__ import annotations

from collections.abc import Iterator

from bp2.trace.findings import CheckInfo, Finding, Severity
from bp2.trace.graph import TraceGraph
from bp2.trace.items import ValidationProtocol, ValidationStatus

IMPLEMENTS = ("SRS-052", "SRS-340")

CHECK = CheckInfo("validation-failed", Severity.ERROR, "a validation protocol failed")


def run(graph: TraceGraph) -> Iterator[Finding]:
    for val_id in graph.ids("VAL"):
        protocol = graph.items[val_id]
        assert isinstance(protocol, ValidationProtocol)
        if protocol.status == ValidationStatus.FAILED:
            needs = ", ".join(link.id for link in protocol.validates)
            yield CHECK.finding(val_id, f"validation failed for {needs} (report: "
                                f"{protocol.report})", "record an anomaly, fix and re-execute",
                                graph.path_of(val_id))
        record = graph.validation_records.get(val_id)
        if record is not None and record.status == "failed":
            needs = ", ".join(link.id for link in protocol.validates)
            yield CHECK.finding(val_id, f"executed validation failed for {needs}: "
                                f"{record.reason}", "record an anomaly, fix and re-execute",
                                graph.path_of(val_id))
