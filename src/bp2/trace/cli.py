"""``bp2 trace``: check, render and browse the design history (needs, requirements, hazards,
validation, anomalies) with its code and test evidence.

The commands are thin: each calls :mod:`bp2.trace.api` and prints the result.  The library is
imported inside each command so that other ``bp2`` commands do not pay for it.  ``bp2`` adds
:data:`trace_app` as its ``trace`` group (:mod:`bp2.cli.trace`); ``python -m bp2.trace`` runs it
alone.
"""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Annotated, Literal

import typer

from bp2.errors import Bp2Error, CheckFailed

IMPLEMENTS = ("SRS-045", "SRS-046", "SRS-048", "SRS-036", "SRS-054")

trace_app = typer.Typer(
    help="Design controls: check traceability, render the trace matrix, review links.",
    no_args_is_help=True,
)

RootOption = Annotated[
    Path | None,
    typer.Option("--root", help="repository root (default: nearest folder with pyproject.toml)",
                 file_okay=False),
]
ResultsOption = Annotated[
    list[Path] | None,
    typer.Option("--results", help="test results: bp2 results JSON, JUnit XML or Cucumber JSON "
                 "(repeatable; default .bp2-results/results.json when present)", dir_okay=False),
]


_LABELS = {1: "check failed", 2: "usage error", 3: "input error", 4: "environment error"}


def report_error(err: Bp2Error) -> None:
    """Print a user-facing error as ``bp2`` does: title, where, and how to fix it."""
    typer.secho(f"{_LABELS.get(int(err.exit_code), 'error')}: {err.title}", fg="red", bold=True,
                err=True)
    if err.where:
        typer.echo(f"  where: {err.where}", err=True)
    if err.hint:
        typer.echo(f"  fix: {err.hint}", err=True)


def _root(root: Path | None) -> Path:
    """The repository root; also switches off the cyclic garbage collector for the rest of
    this short-lived process (see :func:`bp2.trace.api.no_cyclic_gc`): re-enabling it at the
    end would only trigger one long, useless collection before exit."""
    from bp2.trace.loader import find_root

    gc.disable()
    return find_root(root) if root is None else root.resolve()


def _echo(text: str) -> None:
    typer.echo(text, nl=False)


@trace_app.command("check")
def check_cmd(
    results: ResultsOption = None,
    strict: Annotated[bool, typer.Option("--strict", help="warnings count as errors")] = False,
    fmt: Annotated[Literal["text", "json"], typer.Option("--format", help="output format")] = (
        "text"),
    root: RootOption = None,
    validation_results: Annotated[Path | None, typer.Option(
        "--validation-results", help="folder written by 'bp2 validate': a failed record is a "
        "validation-failed finding", file_okay=False)] = None,
) -> None:
    """List every finding (errors first); exit 1 if there is an error."""
    from bp2.trace.api import check

    report = check(_root(root), results, strict=strict, validation_results=validation_results)
    if fmt == "json":
        _echo(json.dumps({"errors": report.errors, "warnings": report.warnings,
                          "strict": strict, "summary": report.summary(),
                          "findings": [f.as_dict() for f in report.findings]},
                         indent=2, sort_keys=True) + "\n")
    else:
        lines = []
        for f in report.findings:
            where = f"  [{f.where}]" if f.where else ""
            lines.append(f"{f.severity:<7}  {f.check_id:<26} {f.item_id or '-':<9} "
                         f"{f.message}{where}")
            lines.append(f"{'':<7}  fix: {f.hint}")
        lines.append(report.summary())
        _echo("\n".join(lines) + "\n")
    if report.failed:
        what = f"{report.errors} error(s)" + (
            f" and {report.warnings} warning(s) (--strict)" if strict and report.warnings else "")
        raise CheckFailed(f"trace check failed: {what}",
                          hint="fix the findings listed above; traceability/checks.md explains "
                          "each check")


@trace_app.command("matrix")
def matrix_cmd(
    fmt: Annotated[Literal["html", "csv", "xlsx", "json"], typer.Option(
        "--format", help="html (static page with a filter box), csv, xlsx or json")],
    out: Annotated[Path, typer.Option("--out", help="file to write", dir_okay=False)],
    results: ResultsOption = None,
    root: RootOption = None,
) -> None:
    """Write the trace matrix: UN → SRS → code → tests → outcome; HAZ → controls → SRS → tests."""
    from bp2.trace.api import write_matrix

    report = write_matrix(_root(root), fmt, out, results)
    typer.echo(f"wrote {out} ({fmt}): {report.errors} error(s), {report.warnings} warning(s)")


@trace_app.command("show")
def show_cmd(
    item_id: Annotated[str, typer.Argument(metavar="ID", help="item ID, e.g. SRS-012")],
    results: ResultsOption = None,
    root: RootOption = None,
) -> None:
    """Print an item's chain up and down, its code, tests and findings."""
    from bp2.trace.api import show

    _echo("\n".join(show(_root(root), item_id, results)) + "\n")


@trace_app.command("review")
def review_cmd(
    item_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="items reviewed")],
    by: Annotated[str, typer.Option("--by", help="name of the reviewer")],
    parent: Annotated[str | None, typer.Option(
        "--parent", help="re-stamp only the link to this ID")] = None,
    root: RootOption = None,
) -> None:
    """Record that the items were reviewed against their (changed) links: re-stamp the links."""
    from bp2.trace.review import review

    done = review(_root(root), item_ids, by, parent=parent)
    for entry in done:
        typer.echo(f"{entry.item_id} {entry.field} → {entry.target}: was {entry.before}, "
                   f"now reviewed by {' '.join(by.split())}")


@trace_app.command("checks")
def checks_cmd(
    fmt: Annotated[Literal["text", "md"], typer.Option("--format", help="text or md")] = "text",
) -> None:
    """List the checks with their severity (md: the published traceability/checks.md)."""
    from bp2.trace.checks import ALL_CHECKS, checks_markdown

    if fmt == "md":
        _echo(checks_markdown())
        return
    for c in ALL_CHECKS:
        typer.echo(f"{c.CHECK.id:<28} {c.CHECK.severity:<8} {c.CHECK.title}")
