"""``python -m bp2.trace``: the ``bp2 trace`` commands on their own.

The same commands, options, output and exit codes as ``bp2 trace``, without importing the
pipeline's command groups — the engine knows nothing of genomics, so another project can use it
this way, and CI saves the start-up time of the pipeline's modules.
"""

from __future__ import annotations

import sys

from bp2.errors import Bp2Error
from bp2.trace.cli import report_error, trace_app


def main() -> None:
    try:
        trace_app(prog_name="bp2 trace")
    except Bp2Error as err:
        report_error(err)
        sys.exit(int(err.exit_code))


if __name__ == "__main__":
    main()
