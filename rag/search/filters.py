"""Explicit search filters, checked before they reach retrieval: a malformed date would
otherwise compare as a string and silently match nothing (or everything)."""

from __future__ import annotations

import datetime as dt
import re

from rag.errors import FilterError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_date(value: str | None, name: str = "date") -> str | None:
    """`value` if it is a real YYYY-MM-DD date (or None); else FilterError naming `name`."""
    if value is None:
        return None
    try:
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise ValueError
        dt.date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"{name} {value!r} is not a date: give YYYY-MM-DD, "
                          "e.g. 2024-10-01") from None
    return value


def check_filters(k: int | None = None, date_from: str | None = None,
                  date_to: str | None = None) -> None:
    """Raises FilterError for k below 1 or a date that is not YYYY-MM-DD."""
    if k is not None and (not isinstance(k, int) or k < 1):
        raise FilterError(f"k={k!r}: ask for at least 1 passage")
    check_date(date_from, "date_from")
    check_date(date_to, "date_to")
