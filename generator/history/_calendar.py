"""Dates as the terms and the Civil Code count them, always in Japan time.

Why a module of its own: every legal deadline kiyaku prints (the 30-day notice period of
第3条第3項, the refund deadline of 第12条第5項) must be computed one way, and that way must be
the Civil Code's, not the machine clock's or UTC's.

- 民法第140条: a period counted in days, weeks, months or years does not count its first day
  (the notice is given during the day), so counting starts the next day (起算日).
- 民法第141条: the period ends at the end of its last day.
- 民法第143条: months are counted by the calendar: the period ends the day before the day of the
  last month that corresponds to the 起算日; if that month has no such day, at its last day.
- 営業日 (第2条(7)): every day except Saturdays, Sundays, national holidays (国民の祝日, 振替休日
  and 国民の休日, from the ``jpholiday`` package), 年末年始 and 8月15日. The terms do not define
  年末年始; kiyaku uses 12月29日から1月3日まで, the span the national government's offices close
  (行政機関の休日に関する法律 第1条第1項第3号).
"""

from __future__ import annotations

import calendar
import datetime as dt

import jpholiday

from ..source.errors import Finding, Location, ReleaseError

JST = dt.timezone(dt.timedelta(hours=9), "JST")
DEFAULT_NOTICE_DAYS = 30
YEAR_END = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))
OBON = (8, 15)


def today_jst(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Japan, whatever the machine's TZ (a release at 01:00 JST is already 'tomorrow' in UTC terms)."""
    moment = now or dt.datetime.now(dt.timezone.utc)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return moment.astimezone(JST).date()


def parse_day(text: str | dt.date, what: str = "日付", where: str = "<コマンドライン>") -> dt.date:
    """A YYYY-MM-DD date, or a ReleaseError saying which date was malformed."""
    if isinstance(text, dt.date):
        return text
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ReleaseError(Finding(Location(where), "H001", f"{what}「{text}」は日付として読めません。",
                                   "YYYY-MM-DD の形で書いてください（例: 2027-01-01）。")) from None


def notice_period(announced: dt.date, days: int = DEFAULT_NOTICE_DAYS) -> tuple[dt.date, dt.date]:
    """First and last day of the notice period: from the day after the announcement (民法140条) for `days` days (141条)."""
    if days < 1:
        raise ValueError("days must be positive")
    return announced + dt.timedelta(days=1), announced + dt.timedelta(days=days)


def earliest_effective(announced: dt.date, days: int = DEFAULT_NOTICE_DAYS) -> dt.date:
    """The first day the changed terms may apply: the day after the notice period ends.

    Announced 2026-12-01 with 30 days: the period is 12-02 … 12-31, the new terms apply from 2027-01-01.
    """
    return notice_period(announced, days)[1] + dt.timedelta(days=1)


def months_period_end(start_event: dt.date, months: int) -> dt.date:
    """Last day of a period of `months` months counted from an event on `start_event` (民法140条・143条).

    The 起算日 is the next day; the period ends the day before the corresponding day of the last
    month, or on that month's last day when it has no corresponding day (143条第2項ただし書).
    Notice on 1/31: 起算日 2/1, one month ends 2/28 (2/29 in a leap year); on 12/30: 起算日 12/31,
    two months end on the last day of February.
    """
    if months < 1:
        raise ValueError("months must be positive")
    kisan = start_event + dt.timedelta(days=1)
    index = kisan.year * 12 + (kisan.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    if kisan.day > last:
        return dt.date(year, month0 + 1, last)
    return dt.date(year, month0 + 1, kisan.day) - dt.timedelta(days=1)


def is_year_end(day: dt.date) -> bool:
    return (day.month, day.day) in YEAR_END


def non_business_reason(day: dt.date) -> str | None:
    """Why `day` is not a 営業日 (第2条(7)), or None when it is one."""
    if day.weekday() == 5:
        return "土曜日"
    if day.weekday() == 6:
        return "日曜日"
    holiday = jpholiday.is_holiday_name(day)
    if holiday:
        return str(holiday)
    if is_year_end(day):
        return "年末年始"
    if (day.month, day.day) == OBON:
        return "8月15日"
    return None


def is_business_day(day: dt.date) -> bool:
    return non_business_reason(day) is None


def business_day_on_or_before(day: dt.date) -> dt.date:
    """`day` itself if it is a 営業日, else the closest 営業日 before it."""
    while not is_business_day(day):
        day -= dt.timedelta(days=1)
    return day


def refund_deadline(notice_day: dt.date, months: int = 2) -> dt.date:
    """第12条第5項: 2 months from the notice date (民法143条), moved back to the previous 営業日."""
    return business_day_on_or_before(months_period_end(notice_day, months))

