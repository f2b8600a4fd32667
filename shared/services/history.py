"""Past visits written into the office's history: the demo's month of tickets, and test fixtures.

A past visit is a ticket with the times of each of its changes, written through the store's
own `insert` and `change` (so numbering, `ticket_events` and the audit trail are exactly
what a real day leaves), one transaction per business day rather than one service call per
change: a month of a busy office is written in seconds. No events are raised: these visits
are history, not a queue the screens should hear about.

`demo_month` plans a plausible month for the demo office (morning peak, quieter Fridays and
Saturdays, some appointments and online tickets, a few no-shows and cancellations, a third of
the served visitors rating their visit) from a fixed seed, so the same command gives the same
reports.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby

from ..domain.errors import Conflict
from ..domain.model import (APPOINTMENT, CALLED, CANCELLED, DONE, INVITED, NO_SHOW, ONLINE, OUTSIDE, SERVING,
                            WAITING, WALK_IN)
from ..domain.numbering import format_number
from ..domain.officetime import business_date
from ..i18n import N_
from ..office import Office
from ..store import Connection


@dataclass(frozen=True)
class Step:
    """One change of a past ticket: to which state, when, at which counter, by whom."""

    to_status: str
    at: datetime
    counter: int | None = None
    staff_id: int | None = None


@dataclass(frozen=True)
class PastVisit:
    """A ticket issued at `issued_at` in `first_status` (waiting, or outside for the online
    line), then moved through `steps` in order."""

    service: str
    lane: str
    channel: str
    issued_at: datetime
    steps: tuple[Step, ...]
    first_status: str = WAITING
    # The visitor's rating of the finished visit on their phone (1–4), and their comment.
    rating: int | None = None
    comment: str | None = None


def record(office: Office, db: Connection, visits: Sequence[PastVisit]) -> int:
    """Write past visits, oldest day first, one transaction per business day; returns how many.

    Refuses (409) a day that already has tickets: history is added to empty days only, so it
    never mixes with a real day's numbers."""
    zone = office.config.zone
    ordered = sorted(visits, key=lambda visit: visit.issued_at)
    days = [(day, list(group)) for day, group in
            groupby(ordered, key=lambda visit: business_date(visit.issued_at, zone))]
    for day, _ in days:   # all days checked first, so a refusal writes nothing
        if db.tickets.count_by_status(day):
            raise Conflict(N_("%(date)s already has tickets; history is only added to empty days."), date=day)
    written = 0
    for day, group in days:
        with office.store.write(db):
            if db.tickets.count_by_status(day):
                raise Conflict(N_("%(date)s already has tickets; history is only added to empty days."), date=day)
            for visit in group:
                _write(office, db, day, visit)
                written += 1
    return written


def _write(office: Office, db: Connection, day: str, visit: PastVisit) -> None:
    service = office.config.service(visit.service)
    sequence = db.tickets.next_sequence(day, visit.service)
    ticket = db.tickets.insert(business_date=day, service=visit.service, lane=visit.lane, sequence=sequence,
                               number=format_number(service.prefix, sequence), status=visit.first_status,
                               channel=visit.channel, kiosk_id=None, now=visit.issued_at)
    for step in visit.steps:
        columns: dict = {}
        if step.to_status == CALLED and ticket.status != CALLED:
            columns = {"counter": step.counter, "called_at": step.at}
        elif step.to_status == INVITED:
            columns = {"invited_at": step.at}
        ticket = db.tickets.change(ticket, step.to_status, now=step.at, staff_id=step.staff_id,
                                   at_counter=step.counter, **columns)
    if visit.rating is not None and ticket.status == DONE:
        db.feedback.add(ticket_id=ticket.id, business_date=day, service=ticket.service, counter=ticket.counter,
                        channel="phone", score=visit.rating, elements=None, comment=visit.comment,
                        now=visit.steps[-1].at + timedelta(minutes=2))


# -- the demo's month ---------------------------------------------------------------------

# The demo's officers, one per counter, made by `seed_demo` if missing. Their password hash is
# no hash at all, so they can never sign in: they exist to be named in the reports.
DEMO_OFFICERS = ("ani", "budi", "citra", "dedi", "eka", "fajar")


def seed_demo(office: Office, db: Connection, days: int, seed: int = 11, scale: float = 2.0) -> int:
    """The demo's history: `days` days up to yesterday (office time), each counter served by
    one of `DEMO_OFFICERS`; returns how many tickets were written."""
    now = office.clock()
    yesterday = date.fromisoformat(office.today(now)) - timedelta(days=1)
    with office.store.write(db):
        officers = []
        for name in DEMO_OFFICERS:
            found = db.accounts.any_user_by_name(name)
            officers.append(found["id"] if found else db.accounts.add_user(name, "!", "officer", now))
    return record(office, db, demo_month(office, yesterday, days, officers, seed, scale))


# Tickets per hour from 08:00 to 15:00, Monday first: a morning peak, quieter Friday and Saturday.
HOURLY = (9, 12, 11, 8, 5, 7, 6, 3)
WEEKDAY_FACTOR = (1.2, 1.0, 1.0, 0.9, 0.7, 0.4, 0.0)


def demo_month(office: Office, last_day: date, days: int, staff_ids: Sequence[int], seed: int = 11,
               scale: float = 1.0) -> list[PastVisit]:
    """Plausible visits for the `days` business days ending with `last_day`, served by
    `staff_ids` (one officer per counter, in turn); the same seed gives the same month.
    `scale` multiplies the visitors (about 60 a weekday at 1: the demo uses 2, the bench's busy office 11)."""
    config = office.config
    rng = random.Random(seed)
    counters = [counter for counter in config.counters if counter.lanes is None] or list(config.counters)
    visits: list[PastVisit] = []
    for offset in range(days, 0, -1):
        day = last_day - timedelta(days=offset - 1)
        factor = WEEKDAY_FACTOR[day.weekday()]
        free_at = {counter.number: _local(office, day, 8, 0) for counter in counters}
        for hour_index, per_hour in enumerate(HOURLY):
            for _ in range(round(per_hour * scale * factor * rng.uniform(0.8, 1.2))):
                issued = _local(office, day, 8 + hour_index, rng.randrange(60)) + timedelta(seconds=rng.randrange(60))
                visits.append(_demo_visit(rng, config, counters, free_at, issued, staff_ids))
    return visits


def _local(office: Office, day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=office.config.zone)


def _demo_visit(rng: random.Random, config, counters, free_at: dict, issued: datetime,
                staff_ids: Sequence[int]) -> PastVisit:
    channel = rng.choices((WALK_IN, APPOINTMENT, ONLINE), weights=(70, 18, 12))[0]
    candidates = [counter for counter in counters if counter.services]
    counter = rng.choice(candidates)
    service = rng.choice(counter.services)
    lanes = config.service(service).lanes
    lane = rng.choices(lanes, weights=[8 if lane == "general" else 1 for lane in lanes])[0]
    staff = staff_ids[(counter.number - 1) % len(staff_ids)] if staff_ids else None
    first = OUTSIDE if channel == ONLINE else WAITING
    steps: list[Step] = []
    inside = issued
    if channel == ONLINE:
        invited = issued + timedelta(minutes=rng.randint(5, 40))
        inside = invited + timedelta(minutes=rng.randint(3, 25))
        steps += [Step(INVITED, invited), Step(WAITING, inside)]
    if rng.random() < 0.03:
        return PastVisit(service, lane, channel, issued, (*steps, Step(CANCELLED, inside + timedelta(minutes=4))),
                         first)
    called = max(inside + timedelta(minutes=rng.randint(2, 12)), free_at[counter.number])
    steps.append(Step(CALLED, called, counter.number, staff))
    if rng.random() < 0.06:
        absent = called + timedelta(minutes=3)
        free_at[counter.number] = absent
        return PastVisit(service, lane, channel, issued, (*steps, Step(NO_SHOW, absent, counter.number, staff)), first)
    start = called + timedelta(minutes=1, seconds=rng.randrange(60))
    done = start + timedelta(minutes=rng.randint(4, 14), seconds=rng.randrange(60))
    free_at[counter.number] = done + timedelta(minutes=rng.randint(0, 3))
    rating = rng.choices(RATINGS, weights=RATING_WEIGHTS)[0] if rng.random() < 0.35 else None
    comment = rng.choice(DEMO_COMMENTS[rating]) if rating and rng.random() < 0.04 else None
    return PastVisit(service, lane, channel, issued, (
        *steps, Step(SERVING, start, counter.number, staff), Step(DONE, done, counter.number, staff)), first,
        rating, comment)


# About a third of the demo's visitors rate their visit, mostly well; a few leave a word.
RATINGS = (1, 2, 3, 4)
RATING_WEIGHTS = (3, 10, 42, 45)
DEMO_COMMENTS = {
    1: ("Antrean terlalu lama, tidak ada informasi.",),
    2: ("Petugas ramah tetapi berkas saya harus kembali besok.", "Ruang tunggu panas."),
    3: ("Cukup cepat.", "Pelayanan baik, tolong tambah kursi di ruang tunggu."),
    4: ("Cepat dan ramah, terima kasih!", "Petugas sangat membantu.", "Prosesnya jelas dan cepat."),
}
