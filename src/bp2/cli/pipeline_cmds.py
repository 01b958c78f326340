"""``bp2 run`` and ``bp2 demo``: run a whole case with the local engine."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the pipeline commands to the top-level app."""
