"""Dates as the Civil Code counts them (民法140・141・143条) and 営業日 as 第2条(7) defines them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.history import _calendar as cal
from generator.source.errors import ReleaseError

D = dt.date.fromisoformat


@pytest.mark.parametrize("announced, earliest", [
    ("2026-12-01", "2027-01-01"),  # the example: period 12/2 … 12/31
    ("2028-01-30", "2028-03-01"),  # across a leap day (2/29 is counted)
    ("2027-01-30", "2027-03-02"),  # same date, no leap day
    ("2026-01-31", "2026-03-03"),  # from a month end, across February
    ("2026-11-30", "2026-12-31"),  # month end to month end
    ("2026-12-31", "2027-01-31"),  # across the year end
])
def test_earliest_effective_after_30_days(announced: str, earliest: str) -> None:
    assert cal.earliest_effective(D(announced)) == D(earliest)


def test_notice_period_starts_the_next_day_and_ends_on_the_30th() -> None:
    assert cal.notice_period(D("2026-12-01")) == (D("2026-12-02"), D("2026-12-31"))
    assert cal.notice_period(D("2026-12-01"), 14) == (D("2026-12-02"), D("2026-12-15"))
    assert cal.earliest_effective(D("2026-12-01"), 14) == D("2026-12-16")


@pytest.mark.parametrize("event, months, end", [
    ("2027-01-31", 1, "2027-02-28"),  # 143条: 1 month after 1/31 ends at the end of February
    ("2028-01-31", 1, "2028-02-29"),  # leap year
    ("2026-12-30", 2, "2027-02-28"),  # 起算日 12/31, no 2/31: last day of February
    ("2026-12-01", 2, "2027-02-01"),  # 起算日 12/2: ends the day before 2/2
    ("2026-11-30", 3, "2027-02-28"),  # 起算日 12/1: ends the day before 3/1
    ("2026-10-31", 1, "2026-11-30"),  # 起算日 11/1: ends the day before 12/1
])
def test_months_are_counted_by_the_calendar(event: str, months: int, end: str) -> None:
    assert cal.months_period_end(D(event), months) == D(end)


@pytest.mark.parametrize("day, reason", [
    ("2026-11-28", "土曜日"), ("2026-11-29", "日曜日"), ("2026-11-03", "文化の日"),
    ("2026-05-06", "振替休日"), ("2026-09-22", "国民の休日"),
    ("2026-12-29", "年末年始"), ("2026-12-30", "年末年始"), ("2027-01-04", None), ("2027-01-01", "元日"),
    ("2025-08-15", "8月15日"), ("2025-08-14", None), ("2026-12-28", None),
])
def test_business_days(day: str, reason: str | None) -> None:
    found = cal.non_business_reason(D(day))
    assert (found is None) == (reason is None)
    if reason:
        assert reason in found
    if reason in ("土曜日", "日曜日", "年末年始", "8月15日"):  # kiyaku's own words, printed in notices: exact
        assert found == reason
    assert cal.is_business_day(D(day)) == (reason is None)


@pytest.mark.parametrize("notice, deadline", [
    ("2026-12-01", "2027-02-01"),  # ends Monday 2/1: a business day, unchanged
    ("2026-11-30", "2027-01-29"),  # ends Sunday 1/31: back over the weekend to Friday
    ("2026-12-11", "2027-02-10"),  # ends 2/11 建国記念の日: back to Wednesday
    ("2026-11-03", "2026-12-28"),  # ends 1/3: back over 年末年始 (12/29–1/3) to Monday 12/28
    ("2026-10-30", "2026-12-28"),  # ends 12/30: 年末年始
    ("2025-06-15", "2025-08-14"),  # ends Friday 8/15: back to Thursday
])
def test_refund_deadline_two_months_then_previous_business_day(notice: str, deadline: str) -> None:
    assert cal.refund_deadline(D(notice)) == D(deadline)


# Where the law has edges: 年末年始 (12/29–1/3) and 8/15 on weekdays, so that only the
# definition of 営業日 moves the deadline, and holidays on Mondays (back over the weekend too).
@pytest.mark.parametrize("notice, end, deadline", [
    ("2027-11-03", "2028-01-03", "2027-12-28"),  # 1/3 a Monday: still 年末年始 (the example)
    ("2028-11-02", "2029-01-02", "2028-12-28"),  # 1/2 a Tuesday
    ("2028-11-03", "2029-01-03", "2028-12-28"),  # 1/3 a Wednesday
    ("2027-11-04", "2028-01-04", "2028-01-04"),  # 1/4 a Tuesday: the first business day of the year, unchanged
    ("2027-10-29", "2027-12-29", "2027-12-28"),  # 12/29 a Wednesday: the first day of 年末年始
    ("2027-10-31", "2027-12-31", "2027-12-28"),  # 12/31 a Friday
    ("2028-06-15", "2028-08-15", "2028-08-14"),  # 8/15 a Tuesday
    ("2027-06-16", "2027-08-16", "2027-08-16"),  # 8/16 a Monday after 8/15 on Sunday: a business day
    ("2026-11-11", "2027-01-11", "2027-01-08"),  # 成人の日 on Monday: back to Friday
    ("2027-07-20", "2027-09-20", "2027-09-17"),  # 敬老の日 on Monday
    ("2028-05-17", "2028-07-17", "2028-07-14"),  # 海の日 on Monday
    ("2028-01-20", "2028-03-20", "2028-03-17"),  # 春分の日 on Monday
    ("2027-01-22", "2027-03-22", "2027-03-19"),  # 振替休日 on Monday (春分の日 3/21 a Sunday)
])
def test_refund_deadline_edges(notice: str, end: str, deadline: str) -> None:
    assert cal.months_period_end(D(notice), 2) == D(end)
    assert cal.refund_deadline(D(notice)) == D(deadline)


@pytest.mark.parametrize("month, day", [(12, 28), (12, 29), (12, 31), (1, 2), (1, 3), (1, 4), (8, 14), (8, 15), (8, 16)])
def test_year_end_and_obon_are_exactly_their_days(month: int, day: int) -> None:
    # a weekday that is no national holiday; 年末年始 is 12/29–1/3, nothing more
    year = next(y for y in range(2027, 2040) if D(f"{y}-{month:02d}-{day:02d}").weekday() < 5
                and not cal.jpholiday.is_holiday(D(f"{y}-{month:02d}-{day:02d}")))
    date = D(f"{year}-{month:02d}-{day:02d}")
    expected = "年末年始" if (month == 12 and day >= 29) or (month == 1 and day <= 3) else "8月15日" if (month, day) == (8, 15) else None
    assert cal.non_business_reason(date) == expected
    assert cal.is_year_end(date) == (expected == "年末年始")


def test_months_period_end_at_the_last_day_of_a_month() -> None:
    # 起算日 on the 30th of a month whose target month has 30 days: the day before, not the last day
    assert cal.months_period_end(D("2027-03-29"), 1) == D("2027-04-29")
    assert cal.months_period_end(D("2027-03-30"), 1) == D("2027-04-30")  # 起算日 3/31, April has no 31st
    assert cal.months_period_end(D("2027-12-31"), 12) == D("2028-12-31")  # 12 months: into the next year, not month 13
    assert cal.months_period_end(D("2027-11-30"), 1) == D("2027-12-31")  # 起算日 12/1: ends the day before 1/1


def test_periods_of_zero_are_refused() -> None:
    with pytest.raises(ValueError):
        cal.notice_period(D("2026-12-01"), 0)
    with pytest.raises(ValueError):
        cal.months_period_end(D("2026-12-01"), 0)
    assert cal.notice_period(D("2026-12-01"), 1) == (D("2026-12-02"), D("2026-12-02"))
    assert cal.months_period_end(D("2026-12-01"), 1) == D("2027-01-01")


def test_parse_day_passes_dates_through_and_names_what_was_wrong() -> None:
    assert cal.parse_day(D("2027-01-01")) == D("2027-01-01")
    assert cal.parse_day("2027-01-01") == D("2027-01-01")
    with pytest.raises(ReleaseError) as info:
        cal.parse_day("2027-1-01x", "実施日", where="releases/a/2.yaml")
    [finding] = info.value.findings
    assert str(finding.location) == "releases/a/2.yaml:1:1" and finding.message.startswith("実施日「")
    assert finding.hint == "YYYY-MM-DD の形で書いてください（例: 2027-01-01）。"
    with pytest.raises(ReleaseError) as info:
        cal.parse_day("x")
    assert str(info.value.findings[0].location) == "<コマンドライン>:1:1" and info.value.findings[0].message.startswith("日付「")


def test_default_refund_period_is_two_months() -> None:
    assert cal.refund_deadline(D("2027-01-10")) == D("2027-03-10")  # a Wednesday
    assert cal.refund_deadline(D("2027-01-10"), 1) == D("2027-02-10")


def test_today_is_japan_time() -> None:
    assert abs((cal.today_jst() - dt.datetime.now(dt.timezone.utc).date()).days) <= 1  # the real clock, aware
    assert cal.today_jst(dt.datetime(2026, 11, 30, 15, 30, tzinfo=dt.timezone.utc)) == D("2026-12-01")
    assert cal.today_jst(dt.datetime(2026, 11, 30, 14, 59, tzinfo=dt.timezone.utc)) == D("2026-11-30")
    with pytest.raises(ValueError):
        cal.today_jst(dt.datetime(2026, 11, 30, 15, 30))


@pytest.mark.parametrize("text", ["2026-13-01", "2026/12/01", "20261201", "2026-2-1", "明日"])
def test_bad_dates_are_refused_with_a_finding(text: str) -> None:
    with pytest.raises(ReleaseError) as info:
        cal.parse_day(text, "告知日")
    assert info.value.findings[0].code == "H001"
    assert text in info.value.findings[0].message


days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 12, 31))


@settings(max_examples=200, deadline=None)
@given(days, st.integers(min_value=1, max_value=365))
def test_period_arithmetic_properties(announced: dt.date, notice_days: int) -> None:
    start, end = cal.notice_period(announced, notice_days)
    assert start == announced + dt.timedelta(days=1)
    assert (end - start).days + 1 == notice_days
    assert cal.earliest_effective(announced, notice_days) == end + dt.timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(days)
def test_previous_business_day_properties(day: dt.date) -> None:
    moved = cal.business_day_on_or_before(day)
    assert moved <= day and cal.is_business_day(moved)
    assert (day - moved).days < 12  # the longest run: 年末年始 plus a weekend
    for offset in range(1, (day - moved).days + 1):
        assert not cal.is_business_day(moved + dt.timedelta(days=offset))


@settings(max_examples=200, deadline=None)
@given(days, st.integers(min_value=1, max_value=24))
def test_months_period_properties(event: dt.date, months: int) -> None:
    end = cal.months_period_end(event, months)
    # The period is never shorter than months × 28 days nor longer than months × 31 days.
    assert months * 28 <= (end - event).days <= months * 31
    # Adding one day to the end lands on the corresponding day (or the 1st after a short month).
    after = end + dt.timedelta(days=1)
    assert after.day == (event + dt.timedelta(days=1)).day or after.day == 1
