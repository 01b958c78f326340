"""Demo cases generated once per test session: a realistic one (depth 30) and a small one."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from bp2.demo import DemoCase, generate_demo_case


@dataclass(frozen=True)
class Generated:
    case: DemoCase
    seconds: float  # wall-clock
    cpu_seconds: float  # CPU time of this (single-threaded) process


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """The default case (seed 13485, depth 30) and how long it took to generate."""
    outdir = tmp_path_factory.mktemp("demo30") / "case"
    start, cpu_start = time.perf_counter(), time.process_time()
    case = generate_demo_case(outdir, depth=30.0)
    return Generated(case, time.perf_counter() - start, time.process_time() - cpu_start)


@pytest.fixture(scope="session")
def case(generated: Generated) -> DemoCase:
    return generated.case


@pytest.fixture(scope="session")
def small_case(tmp_path_factory: pytest.TempPathFactory) -> DemoCase:
    """The default seed at depth 4."""
    return generate_demo_case(tmp_path_factory.mktemp("demo4") / "case", depth=4.0)
