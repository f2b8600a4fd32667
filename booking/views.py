"""Booking pages for visitors' phones: book a slot, see and manage a booking, join the line.

Plain forms that work without scripts: one step per page, the choices carried in the URL (see
`steps`), and a refusal shown on the step it concerns, in the visitor's words, with nothing
chosen lost. The status of such a re-rendered page is the refusal's (409 or 422).
"""
from __future__ import annotations

from datetime import date, datetime, time
from urllib.parse import parse_qsl, urlencode

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, gettext

from shared.domain.bookings import BOOKED, CANCELLED, CHECKED_IN, NO_SHOW, Booking
from shared.domain.config import ServiceConfig
from shared.domain.errors import DomainError, InvalidLane, UnknownBooking
from shared.i18n import N_
from shared.qr import qr_svg
from shared.services import bookings as booking_service
from shared.services import tickets as ticket_service
from shared.views import bookings as booking_views
from shared.web import context
from shared.web.errors import error_response, status_of, wants_json

from kiosk.visitor import token_for as ticket_token_for

from . import steps
from .api import public_limit
from .blueprint import bp
from .links import booking_from_token, manage_url, token_for

# The step that explains a refusal of the confirm form: the one whose choice caused it.
STEP_OF_REFUSAL = {"slot_full": "time", "invalid_request": "time", "invalid_lane": "lane",
                   "invalid_contact": "contact", "already_booked": "confirm"}
# The same for moving a booking (a day where this contact has another booking: choose another day).
MOVE_STEP_OF_REFUSAL = {"slot_full": "time", "invalid_request": "time", "already_booked": "date"}
# The same words the online-line service refuses with, for the page before the form.
ONLINE_CLOSED = N_("The online line is closed. Please come to the office or use another way.")
FIELD_LIMIT = 40
# What the booking's status means for the visitor, on its page.
STATUS_TEXTS = {
    BOOKED: N_("Booked"),
    CHECKED_IN: N_("Checked in"),
    CANCELLED: N_("Cancelled"),
    NO_SHOW: N_("Missed: not checked in on time"),
}


@bp.context_processor
def _page_helpers() -> dict:
    config = context.office().config
    today = context.now().astimezone(config.zone).date()
    return {"day_label": day_label, "language_url": language_url, "today": today,
            "priority_lanes": {lane for lane in config.lanes if config.policy.is_priority(lane)},
            "lane_notes": {lane: config.lane_note(lane, context.language()) for lane in config.lanes}}


def day_label(day: date) -> str:
    """Weekday and date in the visitor's language ("Senin, 7 Desember 2026"): a bare date is
    easy to misread, a weekday is what people plan by."""
    return format_date(day, "EEEE, d MMMM y")


def language_url(code: str, here: str | None = None) -> str:
    """This page in another language, keeping the choices in its query string (a page shown
    after a form names its own address in `here`)."""
    path, _, query = (here or request.full_path).partition("?")
    args = [(name, value) for name, value in parse_qsl(query, keep_blank_values=True) if name != "lang"]
    return f"{path}?{urlencode([*args, ('lang', code)])}"


def _zone_name(day: date) -> str:
    """The office's time zone as visitors know it (WIB, WITA, WIT)."""
    return datetime.combine(day, time(12), context.office().config.zone).tzname()


def _service(code: str) -> ServiceConfig:
    """The configured service (an unknown one is the friendly 404 page); every service has the general lane."""
    return ticket_service.service_and_lane(context.office(), code, "general")


def _alternatives() -> list[dict]:
    """The office's other channels in the visitor's language (links: the visitor is on a phone)."""
    office, language = context.office(), context.language()
    return [ticket_service.alternative_view(alternative, language) for alternative in office.config.alternatives]


def _message(text: str | None, error: DomainError | None = None) -> str | None:
    """A msgid in the visitor's language, filled with the refusal's details when it is the refusal's."""
    if not text:
        return None
    details = error.details if error is not None and text == error.message else {}
    return gettext(text, **details) if details else gettext(text)


@bp.errorhandler(UnknownBooking)
def unknown_booking(error: UnknownBooking):
    """A forged, expired or unknown booking link: a page that says so and offers a new booking
    (the app's plain error page would leave the visitor nowhere to go); the API keeps its JSON."""
    if wants_json():
        return error_response(status_of(error), error.code, error.message, error.extra, **error.details)
    return render_template("booking/unknown.html", message=gettext(error.message)), status_of(error)


# -- the landing page -----------------------------------------------------------------------

@bp.get("/booking")
def landing():
    """The office's services to book, and the online line when the office offers it."""
    config = context.office().config
    return render_template("booking/landing.html", services=config.services, rules=config.booking,
                           alternatives=_alternatives())


# -- booking, one step per page ---------------------------------------------------------------

@bp.get("/booking/new/<service>")
def book_step(service: str):
    """A step of booking (day, time, lane, contact, confirm): the first still open, or the one asked for."""
    if not context.office().config.booking.enabled:
        return redirect(url_for("booking.landing"))
    return _render_step(_service(service), steps.Choices.read(request.args), request.args.get("step"))


@bp.post("/booking/new/<service>")
@public_limit
def book(service: str):
    """The confirm form: book the place and show the booking, or explain on the step concerned."""
    config = _service(service)
    choices = steps.Choices.read(request.form)
    try:
        booking = booking_service.book(context.office(), context.db(), service=config.code, day=choices.date,
                                       start=choices.start, lane=choices.lane, contact=choices.contact or None)
    except DomainError as error:
        if error.code not in STEP_OF_REFUSAL:
            raise
        return _render_step(config, choices, STEP_OF_REFUSAL[error.code], error), status_of(error)
    flash(gettext("Your booking is confirmed."), "ok")
    return redirect(url_for("booking.manage_page", token=token_for(booking)))


def _render_step(service: ServiceConfig, choices: steps.Choices, wanted: str | None = None,
                 error: DomainError | None = None) -> str:
    office, db, now = context.office(), context.db(), context.now()
    step = steps.resolve(office, db, now, service, choices, wanted, error.message if error else None)
    back = (url_for("booking.book_step", service=service.code, step=step.previous, **choices.fields())
            if step.previous else url_for("booking.landing"))
    day = choices.day
    return render_template(
        f"booking/{step.name}.html", service=service, choices=choices, step=step, total=steps.total_steps(),
        message=_message(step.message, error), back_url=back,
        here=url_for("booking.book_step", service=service.code, step=step.name, **choices.fields()),
        days=steps.day_choices(office, db, now, service.code) if step.name == "date" else (),
        zone=_zone_name(day) if day else "",
    )


# -- a booking: see, cancel, move ----------------------------------------------------------

@bp.get("/booking/<token>")
def manage_page(token: str):
    """The visitor's own booking (the link and QR of the booking): the code to read out, when,
    the slip and calendar file, and the buttons to move or cancel it."""
    return _render_manage(token, booking_from_token(token))


def _render_manage(token: str, booking: Booking, error: DomainError | None = None):
    view = booking_views.booking_view(booking)
    config = context.office().config
    day = date.fromisoformat(view["date"])
    return render_template(
        "booking/manage.html", booking=view, token=token, service=config.service(view["service"]), day=day,
        zone=_zone_name(day), message=_message(error.message if error else None, error),
        qr=qr_svg(manage_url(booking), title=f"QR {booking.code}") if booking.status == BOOKED else None,
        checkin_minutes=int(config.booking.checkin_early.total_seconds() // 60),
        status_text=gettext(STATUS_TEXTS[booking.status]), here=url_for("booking.manage_page", token=token),
    ), (status_of(error) if error else 200)


@bp.post("/booking/<token>/confirm")
def confirm(token: str):
    """"Yes, I will come": the visitor's answer to a reminder, one tap on their booking's page."""
    booking = booking_from_token(token)
    try:
        booking_service.confirm(context.office(), context.db(), booking.id)
    except DomainError as error:
        if error.code != "invalid_state":
            raise
        return _render_manage(token, booking, error)
    flash(gettext("Thank you: we expect you at your time."), "ok")
    return redirect(url_for("booking.manage_page", token=token))


@bp.get("/booking/<token>/cancel")
def cancel_page(token: str):
    """Are you sure? A page of its own, so cancelling needs no script and is never one slip of a finger."""
    booking = booking_from_token(token)
    if booking.status != BOOKED:
        return redirect(url_for("booking.manage_page", token=token))
    view = booking_views.booking_view(booking)
    day = date.fromisoformat(view["date"])
    return render_template("booking/cancel.html", booking=view, token=token, day=day, zone=_zone_name(day),
                           service=context.office().config.service(view["service"]))


@bp.post("/booking/<token>/cancel")
def cancel(token: str):
    """Give the place back and show the booking, now cancelled."""
    booking = booking_from_token(token)
    try:
        booking_service.cancel(context.office(), context.db(), booking.id)
    except DomainError as error:
        if error.code != "invalid_state":
            raise
        return _render_manage(token, booking, error)
    flash(gettext("Your booking is cancelled. The place is free for someone else."), "ok")
    return redirect(url_for("booking.manage_page", token=token))


@bp.get("/booking/<token>/reschedule")
def reschedule_page(token: str):
    """Move a booking: choose a new day, then a new time (the visitor's own is marked)."""
    booking = booking_from_token(token)
    if booking.status != BOOKED:
        return redirect(url_for("booking.manage_page", token=token))
    return _render_move(token, booking, request.args.get("date", "")[:FIELD_LIMIT])


@bp.post("/booking/<token>/reschedule")
def reschedule(token: str):
    """Take the new place and free the old one, or explain on the step concerned."""
    booking = booking_from_token(token)
    day, start = (request.form.get(name, "")[:FIELD_LIMIT] for name in ("date", "start"))
    try:
        booking_service.reschedule(context.office(), context.db(), booking.id, day=day, start=start)
    except DomainError as error:
        if error.code == "invalid_state":
            return _render_manage(token, booking, error)
        if error.code not in MOVE_STEP_OF_REFUSAL:
            raise
        step = MOVE_STEP_OF_REFUSAL[error.code]
        return _render_move(token, booking, day if step == "time" else "", error), status_of(error)
    flash(gettext("Your booking is moved to the new time."), "ok")
    return redirect(url_for("booking.manage_page", token=token))


def _render_move(token: str, booking: Booking, day_text: str, error: DomainError | None = None) -> str:
    office, db, now = context.office(), context.db(), context.now()
    choices = steps.Choices(date=day_text)
    day = choices.day if choices.day in booking_views.bookable_days(office, now) else None
    message = _message(error.message if error else None, error)
    if day_text and day is None and message is None:
        message = gettext("That day can no longer be booked. Please choose another day.")
    view = booking_views.booking_view(booking)
    return render_template(
        "booking/reschedule.html", booking=view, token=token, day=day, message=message,
        current_day=date.fromisoformat(view["date"]),
        service=office.config.service(view["service"]), zone=_zone_name(day or date.fromisoformat(view["date"])),
        days=steps.day_choices(office, db, now, booking.service) if day is None else (),
        slots=booking_views.open_slots(office, db, booking.service, day, now) if day else (),
        here=url_for("booking.reschedule_page", token=token, date=day.isoformat() if day else None),
    )


# -- the online line ----------------------------------------------------------------------

@bp.get("/booking/line/<service>")
def line_page(service: str):
    """Join the line from home: what it means, and the lanes to choose from (or why not now)."""
    office = context.office()
    config = _service(service)
    refusal = gettext(ONLINE_CLOSED) if not office.config.booking.online_enabled else None
    closed = ticket_service.closed_now(office) if refusal is None else None
    if closed is not None:
        refusal = gettext(closed.message, **closed.details)
    return _render_line(config, refusal)


@bp.post("/booking/line/<service>")
@public_limit
def join_line(service: str):
    """Take a number in the online line and follow it on the visitor's live status page."""
    config = _service(service)
    try:
        ticket = ticket_service.join_online(context.office(), context.db(), service=config.code,
                                            lane=request.form.get("lane", "")[:FIELD_LIMIT])
    except InvalidLane as error:
        return _render_line(config, None, gettext(error.message, **error.details)), status_of(error)
    except DomainError as error:
        if error.code not in ("online_closed", "closed", "quota_full"):
            raise
        return _render_line(config, gettext(error.message, **error.details)), status_of(error)
    return redirect(url_for("kiosk.status_page", token=ticket_token_for(ticket)))


def _render_line(service: ServiceConfig, refusal: str | None, message: str | None = None) -> str:
    """The line's page: its lanes, or the refusal and the office's other ways."""
    return render_template("booking/line.html", service=service, refusal=refusal, message=message,
                           alternatives=_alternatives() if refusal else (),
                           invite_minutes=int(context.office().config.invite_timeout.total_seconds() // 60),
                           here=url_for("booking.line_page", service=service.code))
