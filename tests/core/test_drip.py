"""The bulk timing core: throughput per sending number, schedules in their time, drips, quiet hours, caps."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sms_tui.core.bulk_spec import CampaignSpec
from sms_tui.core.drip import Pacing, Pending, Usage, hours_for, number_kind, plan

NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
#: Monday 2026-11-23, 10:00 in New York.
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
LONG = "+16503334444"
OTHER = "+16503339911"
TOLL_FREE = "+18885550100"
NYC = "+1212555{:04d}"  # New York mobiles
LAX = "+1213555{:04d}"  # Los Angeles


def _now(n: int, *, phone: str = NYC, frm: str = LONG, segments: int = 1) -> list[Pending]:
    return [Pending(i, phone.format(i), frm, segments) for i in range(n)]


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    assert moment is not None
    return moment.astimezone(tz).strftime("%a %H:%M:%S")


def test_number_kinds() -> None:
    assert number_kind(LONG) == "long_code"
    assert number_kind(TOLL_FREE) == "toll_free"
    assert number_kind("12345") == "short_code"
    assert number_kind("+447911123456") == "long_code"


def test_now_on_a_long_code_goes_one_segment_a_second_and_two_numbers_go_side_by_side() -> None:
    spec = CampaignSpec(name="x", text="Hi")
    one = plan(_now(4), spec, now=NOW)
    assert [one[i] for i in range(4)] == [NOW + timedelta(seconds=s) for s in range(4)]
    long_texts = plan(_now(3, segments=3), spec, now=NOW)
    assert [long_texts[i] for i in range(3)] == [NOW + timedelta(seconds=s) for s in (0, 3, 6)]
    mixed = [*_now(2), *[Pending(10 + i, NYC.format(10 + i), OTHER) for i in range(2)]]
    both = plan(mixed, spec, now=NOW)
    assert sorted(t for t in both.values() if t is not None) == [
        NOW,
        NOW,
        NOW + timedelta(seconds=1),
        NOW + timedelta(seconds=1),
    ]


def test_toll_free_and_configured_numbers_go_faster() -> None:
    spec = CampaignSpec(name="x", text="Hi")
    fast = plan(_now(4, frm=TOLL_FREE), spec, now=NOW)
    assert fast[3] is not None and abs(fast[3] - (NOW + timedelta(seconds=1))) < timedelta(milliseconds=1)
    tuned = plan(_now(3), spec, now=NOW, pacing=Pacing(per_number={LONG: 10.0}))
    assert tuned[2] == NOW + timedelta(milliseconds=200)


def test_now_at_night_waits_for_their_morning() -> None:
    late = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)  # 22:30 in New York, 19:30 in Los Angeles
    out = plan(
        [Pending(1, NYC.format(1), LONG), Pending(2, LAX.format(2), OTHER)], CampaignSpec("x", "Hi"), now=late
    )
    assert _local(out[1], NY) == "Tue 08:00:00"
    assert out[2] == late


def test_schedule_at_nine_thirty_their_time_in_each_zone() -> None:
    spec = CampaignSpec(name="x", text="Hi", mode="schedule", local_time=time(9, 30))
    out = plan([Pending(1, NYC.format(1), LONG), Pending(2, LAX.format(2), LONG)], spec, now=NOW)
    assert _local(out[1], NY) == "Tue 09:30:00"  # 09:30 had passed in New York at 10:00
    assert _local(out[2], LA) == "Mon 09:30:00"  # 07:00 in Los Angeles: today
    by_zone = plan([Pending(3, NYC.format(3), LONG, tz="Europe/Paris")], spec, now=NOW)
    assert _local(by_zone[3], ZoneInfo("Europe/Paris")) == "Tue 09:30:00"


def test_a_schedule_never_lands_in_quiet_hours() -> None:
    sunday_9 = CampaignSpec(name="x", text="Hi", mode="schedule", local_time=time(9, 0))
    saturday = datetime(2026, 11, 28, 20, 0, tzinfo=UTC)
    houston = "+1713555{:04d}"  # Texas: Sundays noon-9 p.m.
    out = plan([Pending(1, houston.format(1), LONG)], sunday_9, now=saturday)
    assert _local(out[1], ZoneInfo("America/Chicago")) == "Sun 12:00:00"
    midnight = CampaignSpec(name="x", text="Hi", mode="schedule", at=datetime(2026, 11, 24, 5, 0, tzinfo=UTC))
    at_midnight = plan(_now(1), midnight, now=NOW)
    assert _local(at_midnight[0], NY) == "Tue 08:00:00"


def test_a_moment_in_the_past_means_now() -> None:
    spec = CampaignSpec(name="x", text="Hi", mode="schedule", at=NOW - timedelta(hours=1))
    assert plan(_now(1), spec, now=NOW)[0] == NOW


def test_drip_sends_n_every_m_minutes_inside_their_hours_with_a_daily_cap() -> None:
    """A fake-clock day: 40 New Yorkers, 3 every 20 minutes, at most 10 a day per number."""
    spec = CampaignSpec(name="x", text="Hi", mode="drip", drip_count=3, drip_minutes=20, daily_cap=10)
    evening = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)  # 18:00 in New York
    out = plan(_now(40), spec, now=evening, pacing=Pacing(day_zone="America/New_York"))
    times = sorted(t for t in out.values() if t is not None)
    assert len(times) == 40
    per_day = Counter(t.astimezone(NY).date() for t in times)
    assert max(per_day.values()) == 10
    assert all(8 <= t.astimezone(NY).hour < 21 for t in times)
    slots = Counter((t - evening) // timedelta(minutes=20) for t in times)
    assert max(slots.values()) <= 3
    # the first 9 go in 3 slots this evening; the 10th at 19:00, then the cap holds until tomorrow
    assert [_local(t, NY) for t in times[:4]] == [
        "Mon 18:00:00",
        "Mon 18:00:01",
        "Mon 18:00:02",
        "Mon 18:20:00",
    ]
    assert _local(times[9], NY) == "Mon 19:00:00"
    assert _local(times[10], NY) == "Tue 08:00:00"
    assert _local(times[-1], NY) == "Thu 09:00:00"  # 10 a day: Thu holds the last 10


def test_usage_earlier_today_counts_against_the_cap() -> None:
    spec = CampaignSpec(name="x", text="Hi", daily_cap=5)
    usage = Usage(sent_on={(LONG, NOW.date()): 4}, next_free={LONG: NOW + timedelta(seconds=30)})
    out = plan(_now(2), spec, now=NOW, usage=usage)
    assert out[0] == NOW + timedelta(seconds=30)
    assert out[1] == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # the next day (UTC by default)


def test_a_retry_waits_for_not_before() -> None:
    later = NOW + timedelta(minutes=5)
    out = plan([Pending(1, NYC.format(1), LONG, not_before=later)], CampaignSpec("x", "Hi"), now=NOW)
    assert out[1] == later


def test_a_window_that_never_opens_plans_nothing() -> None:
    from sms_tui.core.compliance import ComplianceRules
    from sms_tui.core.quiet_hours import window

    closed = ComplianceRules(default_window=window("", saturday="", sunday=""))
    assert plan(_now(1), CampaignSpec("x", "Hi"), now=NOW, rules=closed) == {0: None}


_SPECS = st.one_of(
    st.builds(lambda cap: CampaignSpec("x", "Hi", daily_cap=cap), st.none() | st.integers(1, 6)),
    st.builds(
        lambda n, m, cap: CampaignSpec("x", "Hi", mode="drip", drip_count=n, drip_minutes=m, daily_cap=cap),
        st.integers(1, 5),
        st.integers(1, 90),
        st.none() | st.integers(1, 8),
    ),
    st.builds(
        lambda h, m: CampaignSpec("x", "Hi", mode="schedule", local_time=time(h, m)),
        st.integers(0, 23),
        st.integers(0, 59),
    ),
)
_PHONES = st.sampled_from([NYC, LAX, "+1713555{:04d}", "+1305555{:04d}", "+44791112{:04d}", "+336123{:05d}"])


@given(
    spec=_SPECS,
    recipients=st.lists(
        st.tuples(_PHONES, st.sampled_from([LONG, OTHER, TOLL_FREE]), st.integers(1, 4)), max_size=25
    ),
    start=st.integers(0, 7 * 24 * 60),
)
def test_every_plan_keeps_throughput_hours_caps_and_drip_slots(
    spec: CampaignSpec, recipients: list[tuple[str, str, int]], start: int
) -> None:
    now = NOW + timedelta(minutes=start)
    pending = [Pending(i, phone.format(i), frm, segs) for i, (phone, frm, segs) in enumerate(recipients)]
    pacing = Pacing()
    out = plan(pending, spec, now=now, pacing=pacing)
    assert set(out) == {p.id for p in pending}
    by_number: dict[str, list[tuple[datetime, int]]] = {}
    for p in pending:
        t = out[p.id]
        assert t is not None  # every one of these places has open hours within a week
        assert t >= now
        assert hours_for(p.phone).allows(t), (p.phone, t)
        by_number.setdefault(p.from_number, []).append((t, p.segments))
    for number, sends in by_number.items():
        sends.sort()
        for (a, segs), (b, _) in zip(sends, sends[1:], strict=False):
            assert (b - a).total_seconds() >= segs / pacing.rate(number) - 1e-6
        if spec.daily_cap is not None:
            assert max(Counter(pacing.day_of(t) for t, _ in sends).values()) <= spec.daily_cap
    if spec.mode == "drip":
        slots = Counter((t - now) // timedelta(minutes=spec.drip_minutes) for t in out.values() if t)
        assert not slots or max(slots.values()) <= spec.drip_count


@pytest.mark.parametrize("n", [2000])
def test_a_big_plan_is_complete(n: int) -> None:
    pending = [
        Pending(i, (NYC if i % 2 else LAX).format(i % 10000), LONG if i % 3 else OTHER) for i in range(n)
    ]
    spec = CampaignSpec(name="x", text="Hi", mode="drip", drip_count=50, drip_minutes=10, daily_cap=400)
    out = plan(pending, spec, now=NOW)
    assert all(t is not None for t in out.values()) and len(out) == n
