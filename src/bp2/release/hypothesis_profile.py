"""pytest plugin loaded by the release's test step (``-p bp2.release.hypothesis_profile``):
Hypothesis runs derandomised, with no example database, so two releases of the same commit
generate the same examples and reach the same outcomes."""

from __future__ import annotations

import pytest

IMPLEMENTS = ("SRS-381",)

PROFILE = "bp2-release"


def pytest_configure(config: pytest.Config) -> None:
    try:
        from hypothesis import settings
    except ImportError:  # a project without Hypothesis has nothing to derandomise
        return
    settings.register_profile(PROFILE, derandomize=True, database=None, print_blob=False)
    settings.load_profile(PROFILE)
