"""The design-controls engine: items, links, risk, evidence and checks — and nothing about
genomics.

::

    traceability/model.yaml ─┐
    requirements/ risk/ …    ├─ loader ─→ DesignHistory ─┐
    src/ tests/ features/ ───┴─ harvest (ast, no import) ├─→ TraceGraph ─→ checks ─→ findings
    results (bp2/JUnit/Cucumber) ─ results ──────────────┘        │
                                                                  └─→ matrix ─→ render

:mod:`bp2.trace.api` is the Python entry point; ``bp2 trace`` (:mod:`bp2.cli.trace`) is a thin
layer over it, and :mod:`bp2.trace.pytest_plugin` writes the results file.
"""
