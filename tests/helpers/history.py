"""A seeded month whose answers are known: October 2026 in the demo office (Asia/Jakarta, WIB).

Every weekday of October (22 of them: five Thursdays and Fridays, four of each other weekday)
gets the same ten tickets at the same office times, served at Loket 1 by officer `ani` and at
Loket 2 by officer `budi`. Around the month sit three boundary tickets, each cancelled at
once: 23:59 on Wednesday 30 September, 23:59 on Saturday 31 October, 00:01 on Sunday
1 November (00:01 WIB is still 31 October in UTC: a range read by UTC dates would get it wrong).

One day's ten tickets (times WIB; wait = inside → first call, service = start → done):

| # | issued | channel / service / lane | what happens | wait | service |
|---|---|---|---|---|---|
| 1 | 08:00 | walk_in perizinan_berusaha general | L1 call 08:05, start 08:06, done 08:16 | 5 | 10 |
| 2 | 08:02 | walk_in perizinan_berusaha senior | L1 call 08:17, start 08:18, done 08:26 | 15 | 8 |
| 3 | 08:10 | appointment non_perizinan general | L2 call 08:12, start 08:13, done 08:25 | 2 | 12 |
| 4 | 08:20 | online izin_kesehatan general | outside; invited 08:30, in 08:40; L2 call 08:50, start 08:51, done 09:05 | 10 | 14 |
| 5 | 09:00 | walk_in perizinan_berusaha general | L1 call 09:20, absent 09:23 | 20 | – |
| 6 | 09:05 | walk_in non_perizinan disability | cancelled 09:10 | – | – |
| 7 | 09:10 | walk_in perizinan_berusaha general | L1 call 09:25, done 09:31 without start | 15 | 6 (from the call) |
| 8 | 10:00 | appointment perizinan_berusaha health_worker | L2 call 10:01, start 10:02, done 10:22 | 1 | 20 |
| 9 | 10:30 | walk_in non_perizinan general | L1 call 10:34, start 10:35, transfer 10:40; L2 call 10:45, start 10:46, done 10:50 | 4 | 4 |
| 10 | 11:00 | walk_in perizinan_berusaha general | L1 call 11:03, recall 11:05, start 11:06, done 11:15 | 3 | 9 |

So, for October: see `OCTOBER` below (each figure worked out by hand from this table).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.domain.model import APPOINTMENT, CALLED, CANCELLED, DONE, INVITED, NO_SHOW, ONLINE, OUTSIDE, SERVING, \
    WAITING, WALK_IN
from shared.office import Office
from shared.services.history import PastVisit, Step, record

WIB = ZoneInfo("Asia/Jakarta")
FIRST, LAST = date(2026, 10, 1), date(2026, 10, 31)
OFFICERS = ("ani", "budi")


def at(day: date, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=WIB)


def weekdays() -> list[date]:
    return [day for day in (FIRST + timedelta(days=n) for n in range(31)) if day.weekday() < 5]


def one_day(day: date, ani: int, budi: int) -> list[PastVisit]:
    """The ten tickets of the table above, on `day`."""
    def s(status: str, hhmm: str, counter: int | None = None) -> Step:
        staff = {1: ani, 2: budi}.get(counter)
        return Step(status, at(day, hhmm), counter, staff)

    p, n, k = "perizinan_berusaha", "non_perizinan", "izin_kesehatan"
    return [
        PastVisit(p, "general", WALK_IN, at(day, "08:00"), (s(CALLED, "08:05", 1), s(SERVING, "08:06", 1), s(DONE, "08:16", 1))),
        PastVisit(p, "senior", WALK_IN, at(day, "08:02"), (s(CALLED, "08:17", 1), s(SERVING, "08:18", 1), s(DONE, "08:26", 1))),
        PastVisit(n, "general", APPOINTMENT, at(day, "08:10"),
                  (s(CALLED, "08:12", 2), s(SERVING, "08:13", 2), s(DONE, "08:25", 2))),
        PastVisit(k, "general", ONLINE, at(day, "08:20"),
                  (s(INVITED, "08:30"), s(WAITING, "08:40"), s(CALLED, "08:50", 2), s(SERVING, "08:51", 2),
                   s(DONE, "09:05", 2)), first_status=OUTSIDE),
        PastVisit(p, "general", WALK_IN, at(day, "09:00"), (s(CALLED, "09:20", 1), s(NO_SHOW, "09:23", 1))),
        PastVisit(n, "disability", WALK_IN, at(day, "09:05"), (s(CANCELLED, "09:10"),)),
        PastVisit(p, "general", WALK_IN, at(day, "09:10"), (s(CALLED, "09:25", 1), s(DONE, "09:31", 1))),
        PastVisit(p, "health_worker", APPOINTMENT, at(day, "10:00"),
                  (s(CALLED, "10:01", 2), s(SERVING, "10:02", 2), s(DONE, "10:22", 2))),
        PastVisit(n, "general", WALK_IN, at(day, "10:30"),
                  (s(CALLED, "10:34", 1), s(SERVING, "10:35", 1), s(WAITING, "10:40", 1), s(CALLED, "10:45", 2),
                   s(SERVING, "10:46", 2), s(DONE, "10:50", 2))),
        PastVisit(p, "general", WALK_IN, at(day, "11:00"),
                  (s(CALLED, "11:03", 1), s(CALLED, "11:05", 1), s(SERVING, "11:06", 1), s(DONE, "11:15", 1))),
    ]


def boundary(moment: datetime) -> PastVisit:
    return PastVisit("perizinan_berusaha", "general", WALK_IN, moment,
                     (Step(CANCELLED, moment + timedelta(seconds=30)),))


BOUNDARIES = (datetime(2026, 9, 30, 23, 59, tzinfo=WIB), datetime(2026, 10, 31, 23, 59, tzinfo=WIB),
              datetime(2026, 11, 1, 0, 1, tzinfo=WIB))


def officers(office: Office, names: tuple[str, ...] = OFFICERS) -> dict[str, int]:
    """The ids of these officer accounts, made (unable to sign in) where missing."""
    db = office.store.connect()
    try:
        ids = {}
        with office.store.write(db):
            for name in names:
                found = db.accounts.user_by_name(name)
                ids[name] = found["id"] if found else db.accounts.add_user(name, "-", "officer", at(FIRST, "07:00"))
        return ids
    finally:
        db.close()


def seed_october(office: Office) -> dict[str, int]:
    """Write the month (and its boundary tickets) into the office; returns the officers' ids."""
    ids = officers(office)
    db = office.store.connect()
    try:
        visits = [visit for day in weekdays() for visit in one_day(day, ids["ani"], ids["budi"])]
        record(office, db, visits + [boundary(moment) for moment in BOUNDARIES])
        rate(office, db)
        return ids
    finally:
        db.close()


# Every weekday three visitors rate their visit on the phone: A-001 (#1, Loket 1) 4, C-001 (#3,
# Loket 2) 3 and A-005 (#8, Loket 2) 2; on 1 October A-001 also writes COMMENT.
RATINGS = (("A-001", 4), ("C-001", 3), ("A-005", 2))
COMMENT = "<b>Cepat</b> & ramah"


def rate(office: Office, db) -> None:
    with office.store.write(db):
        for day in weekdays():
            for number, score in RATINGS:
                ticket = db.tickets.by_number(day.isoformat(), number)
                db.feedback.add(ticket_id=ticket.id, business_date=ticket.business_date, service=ticket.service,
                                counter=ticket.counter, channel="phone", score=score, elements=None,
                                comment=COMMENT if (day, number) == (FIRST, "A-001") else None,
                                now=at(day, "12:00"))


# Worked out by hand from the table: 22 weekdays × the day, plus the cancelled 31 October ticket.
DAYS = 22
OCTOBER = {
    "tickets": DAYS * 10 + 1, "served": DAYS * 8, "no_show": DAYS, "cancelled": DAYS + 1,
    "by_channel": {"walk_in": DAYS * 7 + 1, "appointment": DAYS * 2, "online": DAYS},
    "by_service": {"perizinan_berusaha": DAYS * 6 + 1, "non_perizinan": DAYS * 3, "izin_kesehatan": DAYS,
                   "kartu_kuning": 0, "konsultasi": 0, "pengambilan_dokumen": 0},
    "by_lane": {"general": DAYS * 7 + 1, "senior": DAYS, "disability": DAYS, "health_worker": DAYS,
                "pregnant_children": 0},
    # waits 1 2 3 4 5 10 15 15 20 → ranks ⌈4.5⌉ = 5 and ⌈8.1⌉ = 9 (repeating a day 22 times keeps them)
    "wait_min": {"p50": 5.0, "p90": 20.0},
    # services 4 6 8 9 10 12 14 20 → ranks 4 and ⌈7.2⌉ = 8
    "service_min": {"p50": 9.0, "p90": 20.0},
    # 155 / 221, 44 / 221, 22 / 221
    "channel_share": {"walk_in": 70.1, "appointment": 19.9, "online": 10.0},
    # 66 ratings, mean (4 + 3 + 2) / 3 = 3 → IKM 3 × 25 = 75.00, grade C (65.00–76.60)
    "satisfaction": {"responses": DAYS * 3, "ikm": 75.0, "grade": "C"},
}
# Loket 1 only got 4s (IKM 100, A); Loket 2 got 3s and 2s (2.5 × 25 = 62.50, D).
SATISFACTION_BY_COUNTER = {1: (DAYS, 100.0, "A"), 2: (DAYS * 2, 62.5, "D")}
# Loket 1: first call 08:05, last finish 11:15 → 190 min a day; serving 10 + 8 + 6 + 5 (until the
# transfer) + 9 = 38 min; served 4 (#1, #2, #7, #10). Loket 2: 08:12 → 10:50 = 158 min; serving
# 12 + 14 + 20 + 4 = 50 min; served 4 (#3, #4, #8, #9).
COUNTERS = {
    1: {"served": DAYS * 4, "serving_min": DAYS * 38.0, "span_min": DAYS * 190.0, "idle_min": DAYS * 152.0,
        "utilisation": 20.0},
    2: {"served": DAYS * 4, "serving_min": DAYS * 50.0, "span_min": DAYS * 158.0, "idle_min": DAYS * 108.0,
        "utilisation": 31.6},
}
# Tickets issued per weekday: 4 Mondays, Tuesdays, Wednesdays; 5 Thursdays and Fridays; 1 Saturday at 23h.
WEEKDAY_COUNT = (4, 4, 4, 5, 5, 0, 0)
PER_HOUR = {8: 4, 9: 3, 10: 2, 11: 1}
