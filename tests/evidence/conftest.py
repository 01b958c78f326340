"""Fixtures of the evidence tests: a site with an unsigned and an approved bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evidence.factory import Site, make_site


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A bundle with its manifest, not yet signed, and two enrolled signers."""
    return make_site(tmp_path)


@pytest.fixture
def approved(site: Site) -> Site:
    """The bundle reviewed and approved for release as the release plan requires."""
    site.review()
    site.approve()
    return site
