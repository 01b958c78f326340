"""Trace-matrix exports for evidence bundles: CSV, JSON and a byte-reproducible XLSX.

:func:`bp2.trace.render.write_xlsx` writes a workbook whose zip container and document
properties record the time of writing; here the same workbook is rewritten with every zip entry
dated ``when`` and the document's created/modified properties set to ``when``, so the same
matrix gives the same bytes (release bundles are compared file by file).
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from bp2.fileio import atomic_path, write_text_atomic
from bp2.trace.matrix import Matrix
from bp2.trace.render import render_csv, render_json, write_xlsx

IMPLEMENTS = ("SRS-373", "SRS-381")

_W3CDTF = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def write_reproducible_xlsx(matrix: Matrix, out: Path, when: datetime) -> None:
    """The XLSX matrix with zip entry dates and document times fixed to ``when``."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    date_time = (max(when.year, 1980), when.month, when.day, when.hour, when.minute,
                 when.second - when.second % 2)
    with tempfile.TemporaryDirectory(dir=out.parent if out.parent.is_dir() else None) as tmp:
        raw = Path(tmp) / "matrix.xlsx"
        write_xlsx(matrix, raw)
        with zipfile.ZipFile(raw) as source:
            entries = [(info.filename, source.read(info)) for info in source.infolist()]
    with atomic_path(out) as tmp_out, zipfile.ZipFile(tmp_out, "w") as target:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = _W3CDTF.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)


def write_exports(matrix: Matrix, folder: Path, when: datetime, stem: str = "matrix") -> list[Path]:
    """``stem``.csv, .json and .xlsx of the matrix in ``folder``; returns the paths."""
    csv_path, json_path, xlsx_path = (folder / f"{stem}.{ext}" for ext in ("csv", "json", "xlsx"))
    write_text_atomic(csv_path, render_csv(matrix))
    write_text_atomic(json_path, render_json(matrix))
    write_reproducible_xlsx(matrix, xlsx_path, when)
    return [csv_path, json_path, xlsx_path]
