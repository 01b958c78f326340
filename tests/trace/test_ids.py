"""Tests of item IDs as a value type."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from bp2.trace.ids import ItemId, id_sort_key, is_item_id

pytestmark = pytest.mark.verifies("SRS-030")


@pytest.mark.parametrize("text", ["UN-001", "SRS-120", "HAZ-0042", "VAL-999", "ANOM-1000"])
def test_accepts_well_formed_ids(text: str) -> None:
    """It accepts KIND-NNN with a known kind and three or four digits."""
    assert ItemId(text) == text
    assert is_item_id(text)


@pytest.mark.parametrize("text", ["SRS-12", "SRS-12345", "srs-001", "REQ-001", "SRS_001",
                                  " SRS-001", "SRS-001 "])
def test_refuses_malformed_ids(text: str) -> None:
    """It refuses IDs with an unknown kind, wrong digit count, case or stray characters."""
    with pytest.raises(ValueError, match="not an item ID"):
        ItemId(text)


def test_sorts_by_kind_then_number() -> None:
    """It sorts UN before SRS before HAZ, and SRS-999 before SRS-1000."""
    ids = [ItemId(x) for x in ("SRS-1000", "HAZ-001", "SRS-999", "UN-002", "ANOM-001")]
    assert [str(i) for i in sorted(ids, key=lambda i: i.sort_key)] == [
        "UN-002", "SRS-999", "SRS-1000", "HAZ-001", "ANOM-001"]
    assert id_sort_key("garbage") > id_sort_key("ANOM-9999")


def test_exposes_kind_and_number() -> None:
    """It tells the kind and the number of an ID."""
    assert (ItemId("HAZ-0042").kind, ItemId("HAZ-0042").number) == ("HAZ", 42)


def test_validates_inside_pydantic_models() -> None:
    """It validates and serialises as plain text inside pydantic models."""

    class Holder(BaseModel):
        ref: ItemId

    assert Holder(ref="SRS-001").model_dump() == {"ref": "SRS-001"}  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="not an item ID"):
        Holder(ref="SRS-1")  # type: ignore[arg-type]
