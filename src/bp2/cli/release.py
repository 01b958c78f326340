"""``bp2 release``: run every verification and validation step, gate, and render the evidence
bundle (implemented in :mod:`bp2.release.api`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bp2.errors import CheckFailed

IMPLEMENTS = ("SRS-384",)

SHOWN = 20  # reasons printed; index.html lists every one


def release_cmd(
    version: Annotated[str, typer.Argument(metavar="VERSION", help="release version, e.g. 1.2.0")],
    outdir: Annotated[Path, typer.Option("--outdir", help="new folder for the evidence bundle",
                                         file_okay=False)],
    previous: Annotated[str | None, typer.Option(
        "--previous", help="previous release: its bundle folder or its git tag")] = None,
    project: Annotated[Path | None, typer.Option(
        "--project", help="project root (default: nearest folder with pyproject.toml)",
        file_okay=False)] = None,
) -> None:
    """Run trace check → test suite → validation → SOUP inventory on a clean tree; write the
    bundle; exit 1 when the release fails its gate."""
    from bp2.release.api import ReleaseRequest, make_release
    from bp2.trace.loader import find_root

    root = find_root(None) if project is None else project
    outcome = make_release(ReleaseRequest(version=version, outdir=outdir, project=root,
                                          previous=previous))
    for step in outcome.steps:
        typer.echo(f"{step.title:<22} {step.status:<8} {step.summary}")
    typer.echo(f"bundle: {outcome.outdir}")
    if not outcome.decision.passed:
        reasons = outcome.decision.reasons
        for reason in reasons[:SHOWN]:
            typer.echo(f"  FAIL {reason.kind.value}: {reason.message}", err=True)
        if len(reasons) > SHOWN:
            typer.echo(f"  … and {len(reasons) - SHOWN} more reason(s) in index.html", err=True)
        raise CheckFailed(f"release {version} FAILS its gate: {len(outcome.decision.reasons)} "
                          "reason(s)", path=outcome.outdir / "index.html",
                          hint="open index.html in the bundle: each reason links its evidence")
    typer.echo(f"release {version}: PASS (approval needs the signatures the release plan "
               "requires: bp2 evidence sign / verify)")


def register(app: typer.Typer) -> None:
    app.command("release")(release_cmd)
