"""Run every Gherkin scenario in ``verification/features`` (steps in ``conftest.py``)."""

from __future__ import annotations

from pytest_bdd import scenarios

scenarios("features")
