"""Parsing single cells of the tables: lists (``a|b``), dates written the French
way, e-mail addresses."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import pandas as pd

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --------------------------------------------------------------------------- small parsers


def split_cell(text: str) -> list[str]:
    """Items of a list cell: ``a|b`` (or ``a, b`` when there is no ``|``)."""
    text = str(text or "").strip()
    if not text:
        return []
    separator = "|" if "|" in text else ("," if "," in text else (";" if ";" in text else None))
    items = text.split(separator) if separator else [text]
    return [item.strip() for item in items if item.strip()]


def parse_date(text: str, *, end: bool = False) -> dt.date | None:
    """``2024-03-01``, ``01/03/2024``, ``2024-03`` or ``2024`` → a date (None if empty).

    With ``end``, a year or a month alone means its last day. Raises ValueError when
    the text is not a date.
    """
    text = str(text or "").strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or None
    if match:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match:
        return dt.date(int(match[3]), int(match[2]), int(match[1]))
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})/(\d{4})", text)
    if match:
        year, month = (int(match[1]), int(match[2])) if len(match[1]) == 4 else (int(match[2]), int(match[1]))
        if end:
            following = dt.date(year + (month == 12), month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date(year, month, 1)
    match = re.fullmatch(r"(\d{4})", text)
    if match:
        return dt.date(int(match[1]), 12, 31) if end else dt.date(int(match[1]), 1, 1)
    raise ValueError(text)


def nullable(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Object columns where a missing value is None (never a float NaN)."""
    for column in columns:
        values = frame[column].astype(object)
        frame[column] = values.where(values.notna(), None)
    return frame
