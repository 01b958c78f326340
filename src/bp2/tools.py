"""The external software bp2's stages use, and how their versions are found.

A stage names the tools it uses in ``TOOLS``; its provenance and cache key record the versions
found here, so a tool upgrade invalidates cached results and shows in every record.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

from bp2.errors import EnvironmentProblem


@dataclass(frozen=True)
class Tool:
    """A piece of software a stage depends on."""

    name: str
    purpose: str
    supplier: str
    install: str
    probe: Callable[[], str]


def _pysam_version() -> str:
    from pysam.version import __version__

    return str(__version__)


def _htslib_version() -> str:
    from pysam.version import __htslib_version__

    return str(__htslib_version__)


def _mappy_version() -> str:
    import mappy

    return str(mappy.__version__)


def _edlib_version() -> str:
    from importlib.metadata import version

    return version("edlib")


def _numpy_version() -> str:
    import numpy

    return str(numpy.__version__)


def _matplotlib_version() -> str:
    import matplotlib

    return str(matplotlib.__version__)


def _jinja2_version() -> str:
    from importlib.metadata import version

    return version("jinja2")


def _weasyprint_version() -> str:
    from importlib.metadata import version

    return version("weasyprint")


def _pango_version() -> str:
    try:
        from weasyprint.text.ffi import pango
    except (ImportError, OSError) as exc:  # OSError: the Pango library is missing
        raise EnvironmentProblem(
            f"Pango cannot be loaded: {exc}",
            hint="install Pango: apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 "
            "fonts-dejavu-core (scripts/setup.sh does it)",
        ) from None
    number = int(pango.pango_version())
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def _cli_version(executable: str, args: tuple[str, ...], pattern: str, install: str) -> str:
    path = shutil.which(executable)
    if path is None:
        raise EnvironmentProblem.tool_missing(executable, install)
    # errors="replace": Debian's samtools prints its build flags with non-UTF-8 bytes
    proc = subprocess.run([path, *args], capture_output=True, text=True, errors="replace",
                          check=False)
    match = re.search(pattern, proc.stdout + proc.stderr)
    if match is None:
        raise EnvironmentProblem(
            f"could not read the version of '{executable}'",
            hint=f"check that '{path}' is a working {executable}: {install}",
        )
    return match.group(1)


_APT = "apt-get install -y {pkg} (Debian/Ubuntu), or run the set-up in .ci/run"

TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool("pysam", "BAM/VCF/FASTA I/O", "pysam developers", "pip install pysam", _pysam_version),
        Tool(
            "htslib",
            "BGZF, BAM, VCF codecs (inside pysam)",
            "Genome Research Ltd",
            "pip install pysam",
            _htslib_version,
        ),
        Tool(
            "mappy", "minimap2 short-read alignment", "Heng Li", "pip install mappy", _mappy_version
        ),
        Tool("numpy", "numerical arrays", "NumPy developers", "pip install numpy", _numpy_version),
        Tool("matplotlib", "plots (QC coverage plot)", "Matplotlib Development Team",
             "pip install matplotlib", _matplotlib_version),
        Tool("edlib", "edit-distance alignment of reads to haplotypes", "Martin Šošić",
             "pip install edlib", _edlib_version),
        Tool("jinja2", "report templates (HTML)", "Pallets", "pip install jinja2",
             _jinja2_version),
        Tool("weasyprint", "report PDF from HTML", "CourtBouillon", "pip install weasyprint",
             _weasyprint_version),
        Tool("pango", "text layout for the PDF report (used by WeasyPrint)", "GNOME Project",
             _APT.format(pkg="libpango-1.0-0 libpangoft2-1.0-0"), _pango_version),
        Tool(
            "bcftools",
            "variant calling and VCF processing",
            "Genome Research Ltd",
            _APT.format(pkg="bcftools"),
            lambda: _cli_version(
                "bcftools", ("--version",), r"bcftools (\S+)", _APT.format(pkg="bcftools")
            ),
        ),
        Tool(
            "samtools",
            "alignment processing",
            "Genome Research Ltd",
            _APT.format(pkg="samtools"),
            lambda: _cli_version(
                "samtools", ("--version",), r"samtools (\S+)", _APT.format(pkg="samtools")
            ),
        ),
    )
}


@functools.cache
def tool_version(name: str) -> str:
    """The installed version of a known tool; raises EnvironmentProblem when it is missing."""
    try:
        tool = TOOLS[name]
    except KeyError:
        raise EnvironmentProblem(
            f"unknown tool '{name}'", hint=f"known tools: {', '.join(sorted(TOOLS))}"
        ) from None
    return tool.probe()


def tool_versions(names: tuple[str, ...]) -> dict[str, str]:
    return {name: tool_version(name) for name in names}


def require_executable(name: str) -> str:
    """Absolute path of a command-line tool, or EnvironmentProblem naming how to install it."""
    path = shutil.which(name)
    if path is None:
        tool = TOOLS.get(name)
        raise EnvironmentProblem.tool_missing(name, tool.install if tool else "install it")
    return path
