"""Risk controls shown to matter: each control's verification fails when the control is disabled.

ISO 14971 asks for evidence that each risk control is effective.  For four controls of bp2's
hazards, the check that verifies the control is run twice: with the control as shipped (the check
passes) and with the control switched off by monkeypatching (the same check must fail).  A test
that still passed with its control disabled would prove nothing.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment

from bp2.engine import execute
from bp2.engine.execute import execute_unit
from bp2.engine.local import RunMode
from bp2.errors import CheckFailed
from bp2.fileio import atomic_path
from bp2.stages.report import ReportStage
from bp2.stages.report import render as report_render
from tests.engine.test_local import make_case, run_toy
from tests.engine.toy_stages import ToyCount
from tests.stages.report.answer_key import ANSWER_KEY as REPORT_KEY


def fails_when_disabled(
    check: Callable[[], None], disable: Callable[[pytest.MonkeyPatch], None]
) -> None:
    """Run ``check`` with the control on (must pass), then disabled (must fail)."""
    check()
    with pytest.MonkeyPatch.context() as patch:
        disable(patch)
        # a failed assert, or pytest.raises missing its exception, both mean the check failed
        with pytest.raises((AssertionError, pytest.fail.Exception)):
            check()


# HAZ-008 (corrupted or truncated file) — SRS-005: outputs appear only when complete
@pytest.mark.verifies("SRS-005")
def test_atomic_write_control_is_what_prevents_partial_files(tmp_path: Path) -> None:
    """It leaves a partial final-named file once atomic writing is disabled."""
    writer: list[Callable[[Path], Any]] = [atomic_path]

    def check() -> None:
        target = tmp_path / "calls.vcf.gz"
        target.unlink(missing_ok=True)
        with contextlib.suppress(RuntimeError), writer[0](target) as tmp:
            tmp.write_bytes(b"half a VCF")
            raise RuntimeError("killed mid-write")
        assert not target.exists(), "an interrupted write left a final-named file"

    @contextlib.contextmanager
    def direct(path: Path) -> Iterator[Path]:
        yield path  # the control disabled: write straight to the final name

    def disable(_: pytest.MonkeyPatch) -> None:
        writer[0] = direct

    fails_when_disabled(check, disable)


# HAZ-007 (stale cache or mixed stage versions) — SRS-006: parameters are part of the cache key
@pytest.mark.verifies("SRS-006")
def test_cache_key_control_is_what_prevents_stale_results(tmp_path: Path) -> None:
    """It reuses a stale result for changed parameters once they are left out of the cache key."""
    files = make_case(tmp_path / "case")
    runs = iter(range(100))

    def check() -> None:
        out = tmp_path / f"out-{next(runs)}"
        run_toy(files, out, RunMode.NEW)
        run_toy(files, out, RunMode.RESUME, multiplier=2)
        assert (out / "toy_sum" / "total.txt").read_text() == "10\n", "stale cached result"

    original = execute.cache_key

    def without_params(stage: Any, params: Any, *args: Any) -> str:
        return original(stage, type(params)(), *args)

    def disable(patch: pytest.MonkeyPatch) -> None:
        patch.setattr("bp2.engine.local.cache_key", without_params)

    fails_when_disabled(check, disable)


# HAZ-013 (QC failure not acted on) — SRS-021: a failed QC gate stops tiering
@pytest.mark.verifies("SRS-021")
def test_qc_gate_control_is_what_stops_a_failed_case(tmp_path: Path) -> None:
    """It lets a failed sample reach the gated stage once the QC gate is disabled."""
    files = make_case(tmp_path / "case")
    runs = iter(range(100))

    def check() -> None:
        out = tmp_path / f"out-{next(runs)}"
        with pytest.raises(CheckFailed):
            run_toy(files, out, RunMode.NEW, max_lines=2)
        assert not (out / "toy_sum").exists()

    def disable(patch: pytest.MonkeyPatch) -> None:
        patch.setattr(ToyCount, "gate_failures", lambda self, outputs: ())

    fails_when_disabled(check, disable)


# HAZ-012 (untrusted text executed in a report) — SRS-271: autoescaping of VCF text
@pytest.mark.verifies("SRS-271")
def test_autoescape_control_is_what_keeps_vcf_text_inert(tmp_path: Path) -> None:
    """It lets a VCF <script> value into the report's markup once autoescaping is disabled."""
    runs = iter(range(100))

    def check() -> None:
        work = tmp_path / f"r{next(runs)}"
        inputs, params = REPORT_KEY.build(work / "in")
        outputs, _ = execute_unit(ReportStage(), inputs, params, work / "out", unit="case")
        html = Path(json.loads((work / "out" / "outputs.json").read_text())["report_html"])
        text = (work / "out" / html).read_text()
        assert "<script" not in text, "VCF text became markup"
        assert outputs is not None

    shipped = report_render.environment

    def unescaped() -> Environment:
        env = shipped()
        env.autoescape = False
        return env

    def disable(patch: pytest.MonkeyPatch) -> None:
        patch.setattr(report_render, "environment", unescaped)

    fails_when_disabled(check, disable)
