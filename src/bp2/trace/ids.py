"""Item IDs as a value type.

An item ID is ``<KIND>-<number>`` with a kind from :data:`KINDS` and three or four digits, e.g.
``UN-001``, ``SRS-120``, ``HAZ-0042``.  IDs sort by kind (in the order of :data:`KINDS`) and then
numerically, so ``SRS-999`` comes before ``SRS-1000``.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

IMPLEMENTS = ("SRS-030",)

KINDS: tuple[str, ...] = ("UN", "SRS", "HAZ", "VAL", "ANOM")
"""Item kinds, in the order every listing uses."""

ID_PATTERN = re.compile(r"^(UN|SRS|HAZ|VAL|ANOM)-\d{3,4}$")
"""What a well-formed item ID looks like."""

ID_LIKE = re.compile(r"^(UN|SRS|HAZ|VAL|ANOM)-\S*$")
"""A string that was meant as an item ID (well-formed or not): a kind prefix and a dash."""

_KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}
_MATCH = ID_PATTERN.match


class ItemId(str):
    """A well-formed item ID.  Construct with :meth:`parse` or ``ItemId(text)``."""

    __slots__ = ()

    def __new__(cls, value: str) -> ItemId:
        if not isinstance(value, str) or ID_PATTERN.match(value) is None:
            raise ValueError(
                f"'{value}' is not an item ID: expected KIND-NNN with KIND one of "
                f"{', '.join(KINDS)} and 3 or 4 digits (e.g. SRS-012)"
            )
        return super().__new__(cls, value)

    @classmethod
    def parse(cls, value: Any) -> ItemId:
        if type(value) is str and _MATCH(value) is not None:  # the common case, kept fast
            return str.__new__(cls, value)
        if isinstance(value, ItemId):
            return value
        if not isinstance(value, str):
            raise ValueError(f"an item ID must be text, not {type(value).__name__}")
        return cls(value)

    @property
    def kind(self) -> str:
        return self.split("-", 1)[0]

    @property
    def number(self) -> int:
        return int(self.split("-", 1)[1])

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (_KIND_RANK[self.kind], self.number, str(self))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.to_string_ser_schema()
        )


def is_item_id(value: str) -> bool:
    return ID_PATTERN.match(value) is not None


def id_sort_key(value: str) -> tuple[int, int, str]:
    """Sort key for any string that may or may not be a well-formed ID (malformed ones last)."""
    if ID_PATTERN.match(value):
        return ItemId(value).sort_key
    return (len(KINDS), 0, value)
