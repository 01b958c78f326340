"""Property tests of the cache key: stable under ordering, sensitive to every ingredient."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bp2.engine.execute import FileDigest, cache_key
from tests.engine.toy_stages import CountInputs, CountParams, ToyCount

DIGEST_A = "a" * 64


def key(
    sha: str = DIGEST_A,
    multiplier: int = 1,
    tools: dict[str, str] | None = None,
    version: str | None = None,
    sample: str = "S1",
) -> str:
    stage: Any = ToyCount()
    if version is not None:
        stage = type("Bumped", (ToyCount,), {"VERSION": version})()
    inputs = CountInputs(sample=sample, reads=Path("/data/reads.fq"))
    return cache_key(
        stage,
        CountParams(multiplier=multiplier),
        tools if tools is not None else {"numpy": "2.0", "htslib": "1.21"},
        inputs,
        {"reads": FileDigest(path="/data/reads.fq", sha256=sha)},
    )


@pytest.mark.verifies("SRS-006")
@given(
    st.dictionaries(
        st.sampled_from(["numpy", "htslib", "bcftools", "mappy"]),
        st.text(min_size=1, max_size=8),
        min_size=1,
    )
)
def test_key_stable_under_dict_ordering(tools: dict[str, str]) -> None:
    """It gives the same key whatever the order of the tool-version mapping."""
    reordered = dict(reversed(list(tools.items())))
    assert key(tools=tools) == key(tools=reordered)


@pytest.mark.verifies("SRS-006")
@settings(max_examples=200)
@given(
    st.binary(min_size=1, max_size=64),
    st.integers(min_value=0, max_value=63),
    st.integers(min_value=1, max_value=255),
)
def test_key_changes_with_any_input_byte(data: bytes, position: int, flip: int) -> None:
    """It gives a different key when any byte of an input file changes."""
    position %= len(data)
    changed = bytearray(data)
    changed[position] ^= flip
    assert key(sha=hashlib.sha256(data).hexdigest()) != key(
        sha=hashlib.sha256(bytes(changed)).hexdigest()
    )


@pytest.mark.verifies("SRS-006")
@given(st.integers(min_value=1, max_value=1000), st.integers(min_value=1, max_value=1000))
def test_key_changes_with_params(first: int, second: int) -> None:
    """It gives different keys for different parameter values and equal keys for equal ones."""
    assert (key(multiplier=first) == key(multiplier=second)) == (first == second)


@pytest.mark.verifies("SRS-006")
@given(st.text(min_size=1, max_size=10))
def test_key_changes_with_tool_version(version: str) -> None:
    """It gives a different key when a tool's version changes."""
    base = {"numpy": "2.0", "htslib": "1.21"}
    changed = {**base, "htslib": "1.21" + version}
    assert key(tools=base) != key(tools=changed)


@pytest.mark.verifies("SRS-006")
def test_key_changes_with_stage_version_and_values() -> None:
    """It gives a different key when the stage version or a non-file input value changes."""
    assert key() != key(version="1.0.1")
    assert key() != key(sample="S2")
    assert key() == key()


@pytest.mark.verifies("SRS-006")
def test_key_ignores_file_location() -> None:
    """It keys file inputs by content, so the same bytes at another path give the same key."""
    stage = ToyCount()
    params = CountParams()
    tools = {"numpy": "2.0"}
    first = cache_key(
        stage,
        params,
        tools,
        CountInputs(sample="S", reads=Path("/a/r.fq")),
        {"reads": FileDigest(path="/a/r.fq", sha256=DIGEST_A)},
    )
    second = cache_key(
        stage,
        params,
        tools,
        CountInputs(sample="S", reads=Path("/b/r.fq")),
        {"reads": FileDigest(path="/b/r.fq", sha256=DIGEST_A)},
    )
    assert first == second
