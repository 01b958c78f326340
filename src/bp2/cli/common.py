"""Shared CLI helpers: consoles and error reporting."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from bp2.errors import Bp2Error

console = Console()
console_err = Console(stderr=True)


def report_error(err: Bp2Error) -> None:
    """Print a user-facing error: title, where, and how to fix it."""
    label = {1: "check failed", 2: "usage error", 3: "input error", 4: "environment error"}.get(
        int(err.exit_code), "error"
    )
    console_err.print(f"[bold red]{label}:[/] {escape(err.title)}")
    if err.where:
        console_err.print(f"  [bold]where:[/] {escape(err.where)}")
    if err.hint:
        console_err.print(f"  [bold]fix:[/] {escape(err.hint)}")
