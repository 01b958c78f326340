"""The ``bp2`` command.  Each command group lives in its own module and is added here.

The CLI is thin: it parses arguments, calls the library and maps errors to exit codes
(``bp2.errors.ExitCode``).  A user's mistake prints a title, where and what to fix — never a
traceback; anything else is a bug and exits 70 with its traceback.
"""

from __future__ import annotations

import sys
import traceback

import typer

from bp2 import __version__
from bp2.cli.benchmark import register as register_benchmark
from bp2.cli.common import console_err, report_error
from bp2.cli.evidence import register as register_evidence
from bp2.cli.interpret import register as register_interpret
from bp2.cli.nextflow import nextflow_app
from bp2.cli.pipeline_cmds import register as register_pipeline
from bp2.cli.release import register as register_release
from bp2.cli.stage import stage_app
from bp2.cli.validate import register as register_validate
from bp2.errors import EXIT_CODE_TABLE, Bp2Error, ExitCode

IMPLEMENTS = ("SRS-014", "SRS-015")

app = typer.Typer(
    name="bp2",
    help="bp2: clinical germline genome pipeline with design controls as code.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(stage_app, name="stage")
app.add_typer(nextflow_app, name="nextflow")
register_pipeline(app)
register_interpret(app)
register_evidence(app)
register_benchmark(app)
register_release(app)
register_validate(app)


@app.command("version")
def version_cmd() -> None:
    """Print the bp2 version."""
    typer.echo(__version__)


@app.command("exit-codes")
def exit_codes_cmd() -> None:
    """Print the exit-code table shared by every bp2 command."""
    for code, meaning in EXIT_CODE_TABLE:
        typer.echo(f"{code:>3}  {meaning}")


def _add_optional_groups() -> None:
    """Command groups delivered by other parts of bp2 register themselves here."""
    try:
        from bp2.cli.trace import trace_app
    except ImportError:  # pragma: no cover - the trace engine is part of every release
        return
    app.add_typer(trace_app, name="trace")


_add_optional_groups()


def main() -> None:
    """Console entry point: run the app and map errors to exit codes."""
    try:
        app(prog_name="bp2")
    except Bp2Error as err:
        report_error(err)
        sys.exit(int(err.exit_code))
    except KeyboardInterrupt:
        console_err.print("[bold red]interrupted[/] — rerun with --resume to continue")
        sys.exit(130)
    except Exception:  # a bug: show everything
        traceback.print_exc()
        console_err.print(
            f"[bold red]internal error[/] in bp2 {__version__}: this is a bug, please report it "
            "with the traceback above"
        )
        sys.exit(int(ExitCode.INTERNAL))
