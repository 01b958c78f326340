"""Shared fixtures of the annotate tests: one demo case and its annotation per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bp2.demo import DemoCase, generate_demo_case
from bp2.stages.annotate import AnnotateOutputs, AnnotateParams, AnnotateStage
from bp2.stages.base import StageContext
from tests.stages.annotate.helpers import demo_inputs


@pytest.fixture(scope="session")
def demo_case(tmp_path_factory: pytest.TempPathFactory) -> DemoCase:
    return generate_demo_case(tmp_path_factory.mktemp("annotate_demo") / "case", depth=4)


@pytest.fixture(scope="session")
def demo_annotated(demo_case: DemoCase, tmp_path_factory: pytest.TempPathFactory
                   ) -> AnnotateOutputs:
    outdir = tmp_path_factory.mktemp("annotate_demo_out")
    return AnnotateStage().run(demo_inputs(demo_case), AnnotateParams(),
                               StageContext(outdir=Path(outdir)))
