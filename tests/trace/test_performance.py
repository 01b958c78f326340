"""Performance of the whole trace commands on a synthetic design history of 2,000 items."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.trace.factory import REPO


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("trace_bench",
                                                  REPO / "benchmarks" / "trace_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cpu_seconds(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode in (0, 1)
    return float(usage.ru_utime + usage.ru_stime)


@pytest.mark.verifies("SRS-049")
def test_check_and_html_matrix_of_2000_items_take_under_a_second(tmp_path: Path) -> None:
    """It runs trace check plus trace matrix --format html on 2,000 items in under 1 s of CPU."""
    root = tmp_path / "synthetic"
    info = _bench().write_synthetic(root, 2000)
    assert info["test_results"] == 10_000
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    check = [sys.executable, "-m", "bp2.trace", "check", "--root", str(root)]
    matrix = [sys.executable, "-m", "bp2.trace", "matrix", "--format", "html", "--out",
              str(root / "m.html"), "--root", str(root)]
    _cpu_seconds(check, root, env)  # warm-up: compiled modules and the content cache
    # CPU time, not wall time: on a shared machine the wall clock also measures the others.
    best = min(_cpu_seconds(check, root, env) + _cpu_seconds(matrix, root, env)
               for _ in range(3))
    busy = os.getloadavg()[0] > (os.cpu_count() or 1)
    if best > 1.0 and busy:
        pytest.skip(f"{best:.2f} s of CPU on a machine with load {os.getloadavg()[0]:.1f}: "
                    "too busy to judge; rerun when it is idle")
    assert best <= 1.0, f"{best:.2f} s of CPU"
