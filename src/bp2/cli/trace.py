"""``bp2 trace``: the design-controls commands (implemented in :mod:`bp2.trace.cli`).

They live in the engine's own package so that ``python -m bp2.trace`` runs them without loading
the pipeline's command groups; here they are added to ``bp2``.
"""

from __future__ import annotations

from bp2.trace.cli import trace_app

__all__ = ["trace_app"]
