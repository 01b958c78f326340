"""``bp2 validate``: execute validation protocols (implemented in :mod:`bp2.validation.api`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bp2.cli.common import console

IMPLEMENTS = ("SRS-338",)


def register(app: typer.Typer) -> None:
    """Add ``bp2 validate`` to the top-level app."""

    @app.command("validate")
    def validate_cmd(
        protocol: Annotated[
            list[str] | None, typer.Argument(metavar="[VAL-ID]...", help="protocol(s) to run")
        ] = None,
        outdir: Annotated[Path, typer.Option("--outdir", help="where records are written")] = (
            Path("validation-results")),
        run_all: Annotated[bool, typer.Option("--all", help="run every validation/VAL-*.yaml")]
        = False,
        project: Annotated[
            Path | None,
            typer.Option("--project", help="project root holding validation/ (default: found "
                         "upwards from the working directory)", file_okay=False),
        ] = None,
        test_data: Annotated[
            Path | None,
            typer.Option("--test-data", help="public test data folder (default: "
                         "$BP2_TEST_DATA, else ../shared/data beside the project)",
                         file_okay=False),
        ] = None,
        threads: Annotated[
            int | None, typer.Option("--threads", min=1, help="override the protocol's threads")
        ] = None,
        keep_work: Annotated[
            bool, typer.Option("--keep-work", help="keep BAMs and run directories")
        ] = False,
    ) -> None:
        """Execute validation protocols; write DIR/<VAL-ID>/result.json and DIR/index.json.

        Exit 0 when every executed protocol passed, 1 when a criterion failed, 3 on bad data
        (missing file, sha256 mismatch).  Site protocols and human reviews are recorded as
        not executed, with the reason.
        """
        from bp2.errors import UsageError
        from bp2.validation import api

        if run_all and protocol:
            raise UsageError.conflicting_options("--all", "VAL-ID")
        if not run_all and not protocol:
            raise UsageError.missing_option("a protocol", "VAL-ID or --all")
        root = api.find_root(project)
        records = api.validate(root, None if run_all else list(protocol or []), outdir,
                               test_data=test_data, threads=threads, keep_work=keep_work)
        for r in records:
            colour = {"passed": "green", "failed": "red"}.get(r.status, "yellow")
            console.print(f"[bold {colour}]{r.protocol_id} {r.status}[/] in {r.duration_s:.1f} s"
                          f"{': ' + r.reason if r.reason else ''}")
        console.print(f"records: {outdir / 'index.json'}")
