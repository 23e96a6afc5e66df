"""Turning the dates and times a model writes into the values date and time inputs take.

``<input type=date>`` only accepts ``YYYY-MM-DD`` (``time``: ``HH:MM``, ``datetime-local``:
``YYYY-MM-DDTHH:MM``, ``month``: ``YYYY-MM``), while a plan says "March 14, 2025",
"14.03.2025" or "2:30 PM". Slashed dates are read month first (03/04/2025 is March 4)
unless the first number cannot be a month.

    >>> input_value("March 14th, 2025", "date"), input_value("2:30 pm", "time")
    ('2025-03-14', '14:30')
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d.%m.%Y",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%m-%d-%Y",
    "%d-%m-%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d %B, %Y",
    "%A, %B %d, %Y",
    "%a, %b %d, %Y",
    "%Y%m%d",
)
_TIME_FORMATS = (
    "%H:%M",
    "%H:%M:%S",
    "%I:%M %p",
    "%I:%M%p",
    "%I:%M:%S %p",
    "%I %p",
    "%I%p",
    "%H.%M",
    "%H%M",
)
_MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%B %Y", "%b %Y", "%m/%Y", "%m-%Y", "%m.%Y")
_TIME_PART = re.compile(r"(\d{1,2}(?::\d{2}(?::\d{2})?)?\s*(?:[ap]\.?m\.?)?)\s*$", re.IGNORECASE)


def _clean(text: str) -> str:
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip(), flags=re.IGNORECASE)
    text = re.sub(r"\s+", " ", text)
    return re.sub(
        r"\b([ap])\.?m\.?$", lambda m: m.group(1).upper() + "M", text, flags=re.IGNORECASE
    )


def _parse(text: str, formats: tuple[str, ...]) -> datetime | None:
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def parse_date(text: str) -> date | None:
    """A calendar date from common spellings, or None."""
    parsed = _parse(_clean(text), _DATE_FORMATS)
    return parsed.date() if parsed else None


def parse_time(text: str) -> time | None:
    """A time of day from ``14:30``, ``2:30 PM``, ``2pm``..., or None."""
    parsed = _parse(_clean(text).upper(), _TIME_FORMATS)
    return parsed.time() if parsed else None


def _time_value(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def input_value(text: str, input_type: str) -> str:
    """The value an ``<input type=input_type>`` accepts for ``text``; ValueError if unreadable."""
    text = text.strip()
    if input_type == "date":
        day = parse_date(text)
        if day is None:
            raise ValueError(f"could not read {text!r} as a date; give it as YYYY-MM-DD")
        return day.isoformat()
    if input_type == "time":
        moment = parse_time(text)
        if moment is None:
            raise ValueError(f"could not read {text!r} as a time; give it as HH:MM (24-hour)")
        return _time_value(moment)
    if input_type == "datetime-local":
        try:
            return datetime.fromisoformat(text).strftime("%Y-%m-%dT%H:%M")
        except ValueError:
            pass
        match = _TIME_PART.search(text)
        day = parse_date(text[: match.start()].rstrip(" ,T")) if match else None
        moment = parse_time(match.group(1)) if match else None
        if day is None or moment is None:
            raise ValueError(f"could not read {text!r} as a date and time; give YYYY-MM-DDTHH:MM")
        return f"{day.isoformat()}T{_time_value(moment)}"
    if input_type == "month":
        parsed = _parse(_clean(text), _MONTH_FORMATS) or _parse(_clean(text), _DATE_FORMATS)
        if parsed is None:
            raise ValueError(f"could not read {text!r} as a month; give it as YYYY-MM")
        return parsed.strftime("%Y-%m")
    if input_type == "week":
        if not re.fullmatch(r"\d{4}-W\d{2}", text):
            day = parse_date(text)
            if day is None:
                raise ValueError(f"could not read {text!r} as a week; give it as YYYY-Www")
            year, week, _ = day.isocalendar()
            return f"{year}-W{week:02d}"
        return text
    return text
