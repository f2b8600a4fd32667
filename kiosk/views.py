"""Kiosk pages (touch screen) and the visitor's status page (phone)."""
from __future__ import annotations

import logging
import secrets
from datetime import datetime

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import format_date, gettext

from shared.domain.bookings import CODE_ALPHABET
from shared.domain.errors import DomainError
from shared.domain.errors import Closed, QuotaFull, TooEarly, TooLate, UnknownBooking
from shared.i18n import LANGUAGES, N_, translate
from shared.qr import qr_svg
from shared.ticket_print import ticket_texts
from shared.services import accounts
from shared.services import capacity as capacity_service
from shared.services import bookings as booking_service
from shared.services import tickets as ticket_service
from shared.views import tickets as ticket_views
from shared.web import context
from shared.web.errors import status_of
from shared.web.public import links_stay_on_this_computer
from shared.web.auth import KIOSK_SESSION_KEY, current_kiosk, kiosk_required

from .blueprint import bp
from .api import ticket_limit
from .visitor import booking_code, printed_ticket, status_url, ticket_from_token, token_for

log = logging.getLogger(__name__)


ACCESS_SESSION_KEY = "kiosk_access"


@bp.before_app_request
def _remember_access_mode():
    """`?access=on` / `?access=off` on any kiosk page switches accessibility mode for this kiosk
    until the next visitor: the start screen the kiosk returns to carries `access=off`."""
    chosen = request.args.get("access")
    if chosen in ("on", "off") and request.path.startswith("/kiosk/"):
        session[ACCESS_SESSION_KEY] = chosen == "on"


@bp.app_context_processor
def _access_mode() -> dict:
    """`accessible` for every kiosk template (large text, high contrast, reach, speech)."""
    accessible = bool(session.get(ACCESS_SESSION_KEY)) if request.path.startswith("/kiosk/") else False
    return {"accessible": accessible, "access_toggle_url": _with_args(access="off" if accessible else "on")}


def _with_args(**values) -> str:
    """This page's address with some query arguments replaced (a GET page only: toggles reload it)."""
    arguments = request.args.to_dict()
    arguments.update(values)
    return url_for(request.endpoint, **(request.view_args or {}), **arguments) if request.endpoint else "/kiosk/"


def _steps(service=None) -> dict:
    """"Step n of N" for the current visitor: the service, the screening when the office asks it,
    and the lane when the service has more than one (a one-lane service skips that step)."""
    config = context.office().config
    if service is None:
        lane_step = any(len(candidate.lanes) > 1 for candidate in config.services)
    else:
        lane_step = len(service.lanes) > 1
    screening = bool(config.screening)
    return {"total": 1 + int(screening) + int(lane_step), "screening": 2 if screening else None,
            "lane": (3 if screening else 2) if lane_step else None}


# The shell's words are shown in Indonesian and English together: it cannot know who is next.
SHELL_WAIT = N_("Please wait a moment…")
SHELL_BACK = N_("The kiosk is reconnecting. This screen comes back by itself; there is no need to touch it.")


@bp.get("/kiosk/app")
def shell():
    """The page a kiosk browser starts on: the kiosk's screens in a frame it never leaves.

    When the server restarts or the network drops, a page the browser cannot load would
    otherwise leave the kiosk on the browser's own error page until someone touches it. The
    shell stays on screen, says "please wait", asks the server every few seconds, and brings
    the start screen back by itself (or the ticket a visitor was being given, asked again with
    the same request key, so never a second number).
    """
    start = request.args.get("start", "")
    if not start.startswith("/kiosk/") or start.startswith("/kiosk/app"):
        start = url_for("kiosk.home")
    texts = {language: {"title": translate(SHELL_WAIT, language), "text": translate(SHELL_BACK, language)}
             for language in LANGUAGES}
    return render_template("kiosk/shell.html", start=start, probe=url_for("kiosk.list_services"), texts=texts)


@bp.get("/kiosk/")
def home():
    """Kiosk start screen: pick a service (or register this device first).

    A service whose quota is used up today is marked on its tile (and cannot be chosen), so a
    visitor does not answer the screening and pick a lane only to learn it has run out.
    """
    if current_kiosk() is None:
        return redirect(url_for("kiosk.register"))
    office = context.office()
    refusal = ticket_service.closed_now(office)
    closed = gettext(refusal.message, **refusal.details) if refusal else None
    return render_template("kiosk/home.html", services=office.config.services, closed=closed,
                           quotas=ticket_views.quotas_today(office, context.db()), steps=_steps(),
                           request_key=secrets.token_urlsafe(12), alternatives=_alternatives())


def _alternatives() -> list[dict]:
    """The office's other channels in the visitor's language, each URL with a QR code to scan."""
    office, language = context.office(), context.language()
    views = []
    for alternative in office.config.alternatives:
        view = ticket_service.alternative_view(alternative, language)
        view["qr"] = qr_svg(view["url"], size_px=160, title=view["name"]) if view["url"] else None
        views.append(view)
    return views


@bp.route("/kiosk/register", methods=["GET", "POST"])
def register():
    """Bind this browser to a registered kiosk once, with the token from `antrean kiosk add`."""
    error = None
    if request.method == "POST":
        # The kiosk's token, or a one-time registration link an admin made (used up now).
        kiosk = accounts.register_device(context.db(), request.form.get("token", "").strip(), context.now())
        if kiosk is not None:
            session.clear()
            session.permanent = True
            session[KIOSK_SESSION_KEY] = kiosk["id"]
            _warn_if_links_stay_here(kiosk)
            return redirect(url_for("kiosk.home"))
        error = True
    return render_template("kiosk/register.html", error=error), (401 if error else 200)


def _warn_if_links_stay_here(kiosk: dict) -> None:
    """A kiosk opened at `localhost`, with no public address known, prints QR codes that no
    phone can open: say so on its screen, and in the server log (its name, never its token)."""
    if not links_stay_on_this_computer():
        return
    flash(gettext("This kiosk opened the server at %(host)s, an address only this computer can open: "
                  "the QR codes on its tickets would not open on visitors' phones. Set public_url under "
                  "[office] in office.toml, or open the kiosk at the server's network address.",
                  host=request.host), "error")
    log.warning("kiosk %r registered at %s, a loopback address, and office.toml sets no [office] "
                "public_url: its tickets' QR codes will not open on phones", kiosk["name"], request.host)


@bp.route("/kiosk/services/<code>/check", methods=["GET", "POST"])
@kiosk_required
@ticket_limit
def screening(code: str):
    """Optional health self-screening before a ticket; a "yes" advises postponing, no ticket."""
    office = context.office()
    service = office.config.service(code)
    questions = office.config.screening
    if service is None or not questions:
        return redirect(url_for("kiosk.choose_lane", code=code))
    if request.method == "POST":
        answers = [request.form.get(f"q{index}") for index in range(len(questions))]
        if any(answer not in ("yes", "no") for answer in answers):
            return render_template("kiosk/screening.html", service=service, questions=questions, incomplete=True,
                                   answers=answers, steps=_steps(service),
                                   request_key=request.form.get("request_key") or secrets.token_urlsafe(12)), 400
        if "yes" in answers:
            ticket_service.record_screening_advice(office, context.db())
            return render_template("kiosk/advice.html", alternatives=_alternatives())
        if len(service.lanes) == 1:
            return _issue(service.code, service.lanes[0])
        return redirect(url_for("kiosk.choose_lane", code=code, screened=1))
    return render_template("kiosk/screening.html", service=service, questions=questions, incomplete=False,
                           steps=_steps(service), request_key=secrets.token_urlsafe(12))


@bp.get("/kiosk/services/<code>")
@kiosk_required
def choose_lane(code: str):
    """Second step: pick a lane for the chosen service."""
    office = context.office()
    service = office.config.service(code)
    if service is None:
        return redirect(url_for("kiosk.home"))
    quota = ticket_views.quotas_today(office, context.db())[service.code]
    return render_template("kiosk/lanes.html", service=service, quota=quota, steps=_steps(service),
                           request_key=secrets.token_urlsafe(12))


@bp.post("/kiosk/tickets")
@kiosk_required
@ticket_limit
def take_ticket():
    """Issue the ticket (form post from the lane screen, or a one-lane service's tile) and show it."""
    return _issue(request.form.get("service", ""), request.form.get("lane", ""))


def _issue(service: str, lane: str):
    """Issue once per `request_key` (a double press or a resent form gets the same ticket)."""
    try:
        ticket = ticket_service.issue(
            context.office(), context.db(), service=service, lane=lane,
            kiosk_id=current_kiosk()["id"],
            request_key=(request.form.get("request_key") or "")[:100] or None,
        )
    except (Closed, QuotaFull) as error:
        lane_full = isinstance(error, QuotaFull) and "lane" in (error.extra or {})
        return render_template("kiosk/unavailable.html", message=gettext(error.message, **error.details),
                               alternatives=[] if lane_full else _alternatives(),
                               other_lanes_url=url_for("kiosk.choose_lane", code=service) if lane_full else None,
                               ), status_of(error)
    return redirect(url_for("kiosk.show_ticket", token=token_for(ticket)))


@bp.post("/kiosk/enter")
@kiosk_required
def enter_at_door():
    """A ticket scanned at the door (the scanner types its QR link): the visitor comes in."""
    code = (request.form.get("code") or "").strip()
    token = code.split("/t/", 1)[-1].split("?", 1)[0].strip("/")
    try:
        ticket = ticket_service.enter(context.office(), context.db(), ticket_from_token(token).id)
    except DomainError as error:
        return render_template("kiosk/entered.html", ticket=None,
                               message=gettext(error.message, **error.details)), status_of(error)
    return render_template("kiosk/entered.html", ticket=ticket, message=None)


@bp.get("/kiosk/checkin")
@kiosk_required
def checkin():
    """A visitor with a booking: one code field a scanner types into, and a keypad for the rest."""
    if not context.office().config.booking.enabled:
        return redirect(url_for("kiosk.home"))
    return _checkin_page()


@bp.post("/kiosk/checkin")
@kiosk_required
@ticket_limit
def checkin_arrive():
    """The code or scanned link of a booking: its ticket, or when to come back, or a walk-in instead.

    A scanned ticket link (`/t/`) is an invited visitor at the door: the same field lets them in,
    so a kiosk by the entrance needs one field for both.
    """
    scanned = (request.form.get("code") or "")[:300]
    if "/t/" in scanned:
        return enter_at_door()
    try:
        ticket = booking_service.check_in(context.office(), context.db(), booking_code(scanned),
                                          kiosk_id=current_kiosk()["id"])
    except TooEarly as error:
        return render_template("kiosk/checkin_early.html", message=gettext(error.message, **error.details),
                               **_come_back(error)), status_of(error)
    except TooLate as error:
        return render_template("kiosk/checkin_late.html", message=gettext(error.message, **error.details),
                               booking=error.extra,
                               request_key=secrets.token_urlsafe(12)), status_of(error)
    except UnknownBooking as error:
        return _checkin_page(gettext(error.message, **error.details), scanned), status_of(error)
    return redirect(url_for("kiosk.show_ticket", token=token_for(ticket)))


def _checkin_page(error: str | None = None, typed: str = ""):
    """The check-in screen; after an unknown code it says so and keeps what was typed to correct
    (never a scanned link, which the next scan would run into)."""
    kept = typed.strip()[:40] if "/" not in typed else ""
    return render_template("kiosk/checkin.html", keys=CODE_ALPHABET, error=error, typed=kept)


def _come_back(error: TooEarly) -> dict:
    """The time to come back, to show big: `14:30 WIB`, and the day unless it is today."""
    office = context.office()
    moment = datetime.fromisoformat(error.extra["come_back_at"]).astimezone(office.config.zone)
    today = moment.date().isoformat() == office.today()
    return {"come_back_time": f"{moment:%H:%M} {moment.tzname()}",
            "come_back_day": None if today else format_date(moment.date(), "full")}


@bp.get("/kiosk/tickets/<token>")
@kiosk_required
def show_ticket(token: str):
    """The issued ticket on the kiosk screen, printed automatically."""
    ticket = ticket_from_token(token)
    office = context.office()
    status = ticket_views.public_view(office, context.db(), ticket)
    url = status_url(ticket, context.language())
    qr = qr_svg(url, title=f"QR {ticket.number}")
    return render_template(
        "kiosk/ticket.html", ticket=ticket, status=status, token=token,
        service=office.config.service(ticket.service),
        qr=qr,
        pdf_url=url_for("kiosk.ticket_pdf", token=token, lang=context.language()),
        **_printed(ticket, status, qr),
    )


def _printed(ticket, status: dict, qr: str) -> dict:
    """What `_printed_ticket.html` prints: the same texts as the PDF, on the office's paper."""
    printed = printed_ticket(ticket, context.language(), status)
    return {"printed": printed, "printed_texts": ticket_texts(printed), "printed_qr": qr,
            "paper_mm": context.office().config.kiosk_paper_mm}


@bp.get("/t/<token>")
def status_page(token: str):
    """The visitor's phone page behind the QR code: live status of one ticket."""
    ticket = ticket_from_token(token)
    office = context.office()
    config, language = office.config, context.language()
    names = {"services": {service.code: service.names.get(language) for service in config.services},
             "lanes": {lane: config.lane_name(lane, language) for lane in config.lane_names}}
    return render_template(
        "kiosk/status.html", ticket=ticket, token=token, names=names,
        hold_minutes=int(capacity_service.invite_timeout(office, ticket).total_seconds() // 60),
        status=ticket_views.public_view(office, context.db(), ticket),
        service=config.service(ticket.service),
    )


@bp.post("/t/<token>/cancel")
def cancel_from_phone(token: str):
    """Cancel from the status page form (the signed token is the credential)."""
    ticket = ticket_from_token(token)
    ticket_service.cancel(context.office(), context.db(), ticket.id)
    return redirect(url_for("kiosk.status_page", token=token))


@bp.post("/t/<token>/let-next-go-first")
def let_next_go_first_from_phone(token: str):
    """The visitor is not ready yet: the person behind goes first and they keep their ticket."""
    ticket = ticket_from_token(token)
    try:
        ticket_service.let_next_go_first(context.office(), context.db(), ticket.id)
    except DomainError as error:
        flash(gettext(error.message, **error.details), "error")
    else:
        flash(gettext("The person behind you goes first. You keep your ticket."), "info")
    return redirect(url_for("kiosk.status_page", token=token))
