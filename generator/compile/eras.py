"""Japanese era dates, written as the sources write them: 令和6年（2024年）4月1日."""

from __future__ import annotations

import datetime as dt

# (first day, name); newest first. Only eras a terms document can be dated in.
ERAS = (
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
)


def era_year(day: dt.date) -> str:
    for start, name in ERAS:
        if day >= start:
            year = day.year - start.year + 1
            return f"{name}{'元' if year == 1 else year}年"
    raise ValueError(f"{day} is before the supported eras")


def era_date(day: dt.date) -> str:
    """令和6年（2024年）4月1日"""
    return f"{era_year(day)}（{day.year}年）{day.month}月{day.day}日"


def western_date(day: dt.date) -> str:
    """2024年5月20日"""
    return f"{day.year}年{day.month}月{day.day}日"


def parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
