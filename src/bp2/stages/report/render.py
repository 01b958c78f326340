"""Rendering at the edge: the view model → HTML (Jinja2) → PDF (WeasyPrint).

Jinja2 runs with autoescaping on for every template and ``StrictUndefined``, so text from a VCF
(``<script>`` in an INFO value) is printed as text and a value missing from the view is an
error.  WeasyPrint fetches nothing: the template embeds its stylesheet and every URL fetch is
refused, so a report never reads a file or the network.  The PDF carries no creation date and a
fixed file identifier derived from the report ID, which makes it byte-identical for identical
inputs with the same WeasyPrint and Pango versions (recorded as the stage's tools).
"""

from __future__ import annotations

from importlib import resources as importlib_resources
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bp2.errors import EnvironmentProblem
from bp2.stages.report.view import ReportView

IMPLEMENTS = ("SRS-271", "SRS-272", "SRS-273")

TEMPLATE = "report.html.j2"


def environment() -> Environment:
    """The Jinja2 environment of the report: autoescape always on, undefined is an error."""
    templates = importlib_resources.files("bp2.stages.report") / "templates"
    return Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(view: ReportView) -> str:
    return environment().get_template(TEMPLATE).render(report=view)


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the report fetches no resource (refused: {url[:80]})")


def render_pdf(html: str, report_id: str) -> bytes:
    """The PDF of ``html``: no external fetch, no date, a fixed identifier."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise EnvironmentProblem(
            f"WeasyPrint cannot be loaded: {exc}",
            hint="pip install weasyprint, and install Pango (Debian: libpango-1.0-0 "
            "libpangoft2-1.0-0 fonts-dejavu-core); scripts/setup.sh does both",
        ) from None
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_refuse_fetch)
    pdf: bytes = document.write_pdf(pdf_identifier=report_id.encode("ascii"))
    return pdf
