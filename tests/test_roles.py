"""Every route and every Socket.IO event, and who may use it: the enumerated role test.

The app's `url_map` and its Socket.IO handlers are walked, and each one must appear in the
tables below, which say who may call it. A new route or event missing from the tables
fails the suite: whoever adds one must decide who may use it, in the same commit.

Then each protected entry is probed through the real app:

- anonymous callers are refused (401 on the API; pages answer 401/403 or send the browser
  to the sign-in page, or a kiosk page to the kiosk's registration page);
- callers with the wrong role are refused (403, or 401 for a kiosk's token on a staff call,
  409 `counter_taken` for another officer's counter);
- the lowest role the table names is NOT refused, so the table cannot claim more than the
  code enforces;
- state changes that ride on a browser session (every form, and the API with a cookie) are
  refused without their CSRF token;
- staff Socket.IO namespaces refuse anonymous and wrong-role connections.

The audits return lists of problems instead of asserting, so the last tests can plant an
unprotected route and prove the audit reports it.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shared.i18n import translate
from shared.services import accounts
from shared.web import create_app
from shared.web.extensions import socketio
from tests.helpers.live import read_demo_logins

# Who may call a route or use a Socket.IO event.
PUBLIC = "public"                    # anyone; ticket and booking links carry their own signed token
KIOSK = "kiosk"                      # a registered kiosk (bearer token, or a kiosk browser's session)
KIOSK_OR_OFFICER = "kiosk-or-officer"  # the door: a kiosk or any staff member
OFFICER = "officer"                  # any signed-in staff member
COUNTER = "officer-of-counter"       # the officer working that counter (or a supervisor)
SUPERVISOR = "supervisor"
ADMIN = "admin"
STAFF_ROLES = (OFFICER, COUNTER, SUPERVISOR, ADMIN)

# (rule, method) → who may call it. Add your route here in the same commit as the route.
ROUTES: dict[tuple[str, str], str] = {
    ("/", "GET"): PUBLIC,
    ("/vendor/<path:filename>", "GET"): PUBLIC,
    ("/static/<path:filename>", "GET"): PUBLIC,
    ("/static/booking/<path:filename>", "GET"): PUBLIC,
    ("/static/counter/<path:filename>", "GET"): PUBLIC,
    ("/static/display/<path:filename>", "GET"): PUBLIC,
    ("/static/kiosk/<path:filename>", "GET"): PUBLIC,
    # Public API (contract: no token) and the visitor's own signed links.
    ("/api/services", "GET"): PUBLIC,
    ("/api/openapi.json", "GET"): PUBLIC,
    ("/api/counters", "GET"): PUBLIC,
    ("/api/queue", "GET"): PUBLIC,
    ("/api/capacity", "GET"): PUBLIC,
    ("/api/tickets/<token>", "GET"): PUBLIC,
    ("/api/tickets/<token>/pdf", "GET"): PUBLIC,
    ("/api/tickets/<token>/cancel", "POST"): PUBLIC,
    ("/api/tickets/<token>/let-next-go-first", "POST"): PUBLIC,
    ("/api/slots", "GET"): PUBLIC,
    ("/api/bookings", "POST"): PUBLIC,
    ("/api/bookings/<token>", "GET"): PUBLIC,
    ("/api/bookings/<token>/cancel", "POST"): PUBLIC,
    ("/api/bookings/<token>/confirm", "POST"): PUBLIC,
    ("/api/bookings/<token>/reschedule", "POST"): PUBLIC,
    ("/api/bookings/<token>/pdf", "GET"): PUBLIC,
    ("/api/bookings/<token>/qr.svg", "GET"): PUBLIC,
    ("/api/calendar/<token>.ics", "GET"): PUBLIC,
    ("/api/remote-tickets", "POST"): PUBLIC,
    ("/api/login", "POST"): PUBLIC,
    ("/t/<token>", "GET"): PUBLIC,
    ("/t/<token>/cancel", "POST"): PUBLIC,
    ("/t/<token>/let-next-go-first", "POST"): PUBLIC,
    ("/api/tickets/<token>/feedback", "POST"): PUBLIC,   # the visitor rates their own finished visit
    ("/t/<token>/feedback", "POST"): PUBLIC,
    ("/booking", "GET"): PUBLIC,
    ("/privasi", "GET"): PUBLIC,   # the privacy notice
    ("/booking/new/<service>", "GET"): PUBLIC,
    ("/booking/new/<service>", "POST"): PUBLIC,
    ("/booking/<token>", "GET"): PUBLIC,
    ("/booking/<token>/confirm", "POST"): PUBLIC,
    ("/booking/<token>/cancel", "GET"): PUBLIC,
    ("/booking/<token>/cancel", "POST"): PUBLIC,
    ("/booking/<token>/reschedule", "GET"): PUBLIC,
    ("/booking/<token>/reschedule", "POST"): PUBLIC,
    ("/booking/line/<service>", "GET"): PUBLIC,
    ("/booking/line/<service>", "POST"): PUBLIC,
    ("/display/", "GET"): PUBLIC,
    ("/display/<profile>", "GET"): PUBLIC,
    ("/display/speech/<language>/<number>/<int:counter>.wav", "GET"): PUBLIC,
    ("/kiosk/app", "GET"): PUBLIC,
    ("/kiosk/register", "GET"): PUBLIC,
    ("/kiosk/register", "POST"): PUBLIC,
    ("/counter/login", "GET"): PUBLIC,
    ("/counter/login", "POST"): PUBLIC,
    # Kiosks.
    ("/api/tickets", "POST"): KIOSK,
    ("/api/checkin", "POST"): KIOSK,
    ("/api/tickets/<token>/enter", "POST"): KIOSK_OR_OFFICER,
    ("/kiosk/", "GET"): KIOSK,
    ("/kiosk/services/<code>", "GET"): KIOSK,
    ("/kiosk/services/<code>/check", "GET"): KIOSK,
    ("/kiosk/services/<code>/check", "POST"): KIOSK,
    ("/kiosk/tickets", "POST"): KIOSK,
    ("/kiosk/tickets/<token>", "GET"): KIOSK,
    ("/kiosk/enter", "POST"): KIOSK,
    ("/kiosk/checkin", "GET"): KIOSK,
    ("/kiosk/checkin", "POST"): KIOSK,
    # Staff.
    ("/counter/logout", "POST"): PUBLIC,  # signing out asks nothing of who you are
    ("/api/logout", "POST"): OFFICER,
    ("/counter/", "GET"): OFFICER,
    ("/counter/<int:number>", "GET"): OFFICER,
    ("/counter/<int:number>/panel", "GET"): OFFICER,
    ("/counter/<int:number>/<action>", "POST"): COUNTER,
    # The counter's survey tablet: opened by staff; a tap rates only for that counter's officer.
    ("/counter/<int:number>/survey", "GET"): OFFICER,
    ("/counter/<int:number>/survey/panel", "GET"): OFFICER,
    ("/counter/<int:number>/survey", "POST"): COUNTER,
    ("/api/reports/ikm.csv", "GET"): SUPERVISOR,
    ("/api/counters/<int:number>/waiting", "GET"): OFFICER,
    ("/api/counters/<int:number>/<action>", "POST"): COUNTER,
    ("/api/capacity", "PUT"): SUPERVISOR,
    # The audit trail.
    ("/api/audit", "GET"): SUPERVISOR,
    ("/api/audit.csv", "GET"): SUPERVISOR,
    ("/counter/audit", "GET"): SUPERVISOR,
    # The supervisor's floor.
    ("/api/floor", "GET"): SUPERVISOR,
    ("/api/counters/<int:number>/state", "PUT"): COUNTER,
    ("/api/announcement", "PUT"): SUPERVISOR,
    ("/api/floor/call", "POST"): SUPERVISOR,
    ("/api/floor/move", "POST"): SUPERVISOR,
    ("/api/counters/<int:number>/lines", "PUT"): SUPERVISOR,
    ("/api/alarms", "POST"): OFFICER,     # an emergency is never refused to staff, whatever the counter
    ("/api/alarms/<int:alarm_id>/acknowledge", "POST"): SUPERVISOR,
    ("/counter/<int:number>/alarm", "POST"): OFFICER,
    ("/counter/floor", "GET"): SUPERVISOR,
    ("/counter/floor/panel", "GET"): SUPERVISOR,
    ("/counter/floor/counters/<int:number>/state", "POST"): SUPERVISOR,
    ("/counter/floor/lines", "POST"): SUPERVISOR,
    ("/counter/floor/capacity", "POST"): SUPERVISOR,
    ("/counter/floor/announcement", "POST"): SUPERVISOR,
    ("/counter/floor/call", "POST"): SUPERVISOR,
    ("/counter/floor/move", "POST"): SUPERVISOR,
    ("/counter/floor/alarms/<int:alarm_id>/acknowledge", "POST"): SUPERVISOR,
    # The office's numbers.
    ("/api/reports/summary", "GET"): SUPERVISOR,
    ("/api/reports/tickets.csv", "GET"): SUPERVISOR,
    ("/api/reports/report.pdf", "GET"): SUPERVISOR,
    ("/counter/reports", "GET"): SUPERVISOR,
    # A staff member's own account.
    ("/account/password", "GET"): OFFICER,
    ("/account/password", "POST"): OFFICER,
    ("/api/password", "POST"): OFFICER,
    # Admin: staff accounts and kiosks.
    ("/static/admin/<path:filename>", "GET"): PUBLIC,
    ("/admin/", "GET"): ADMIN,
    ("/admin/users", "GET"): ADMIN,
    ("/admin/users", "POST"): ADMIN,
    ("/admin/users/<username>/role", "POST"): ADMIN,
    ("/admin/users/<username>/active", "POST"): ADMIN,
    ("/admin/users/<username>/password", "POST"): ADMIN,
    ("/admin/users/<username>/remove", "POST"): ADMIN,
    ("/admin/kiosks", "GET"): ADMIN,
    ("/admin/kiosks", "POST"): ADMIN,
    ("/admin/kiosks/<int:kiosk_id>/name", "POST"): ADMIN,
    ("/admin/kiosks/<int:kiosk_id>/link", "POST"): ADMIN,
    ("/admin/kiosks/<int:kiosk_id>/retire", "POST"): ADMIN,
    ("/api/users", "GET"): ADMIN,
    ("/api/users", "POST"): ADMIN,
    ("/api/users/<username>", "PUT"): ADMIN,
    ("/api/users/<username>", "DELETE"): ADMIN,
    ("/api/users/<username>/password", "POST"): ADMIN,
    ("/api/kiosks", "GET"): ADMIN,
    ("/api/kiosks", "POST"): ADMIN,
    ("/api/kiosks/<int:kiosk_id>", "PUT"): ADMIN,
    ("/api/kiosks/<int:kiosk_id>", "DELETE"): ADMIN,
    ("/api/kiosks/<int:kiosk_id>/link", "POST"): ADMIN,
    # The office editor (office.toml in the browser).
    ("/admin/office", "GET"): ADMIN,
    ("/admin/office", "POST"): ADMIN,
    ("/admin/office/<section>", "GET"): ADMIN,
    ("/admin/office/<section>", "POST"): ADMIN,
}

# Values for the URL variables when probing (anything not named here gets "x").
PROBE_ARGS = {"number": "1", "counter": "1", "action": "call-next", "code": "konsultasi",
              "service": "konsultasi", "language": "id", "username": "nobody-here", "id": "999999", "alarm_id": "999999",
              "kiosk_id": "999999", "section": "services"}

# The same route probed again with other variables, where those change who may call it.
EXTRA_PROBES: list[tuple[str, str, dict[str, str], str]] = [
    ("/api/counters/<int:number>/<action>", "POST", {"action": "take-over"}, SUPERVISOR),
    ("/counter/<int:number>/<action>", "POST", {"action": "take-over"}, SUPERVISOR),
]

# (namespace, event) → who may use it. A staff namespace's "connect" says who may connect at
# all; an event there that needs more than that must be wrapped so it checks (see below).
SOCKETS: dict[tuple[str, str], str] = {
    ("/display", "connect"): PUBLIC,
    ("/ticket", "watch"): PUBLIC,       # the signed ticket token in the message is the credential
    ("/ticket", "disconnect"): PUBLIC,
    ("/counter", "connect"): OFFICER,
    ("/floor", "connect"): SUPERVISOR,
    ("/floor", "disconnect"): SUPERVISOR,
}

# Routes that end the caller's session (and, since they end them all, every other of that user):
# their own role is proved with a throwaway officer, so the other probes keep their sessions.
SIGN_OUTS = {("/api/logout", "POST"), ("/counter/logout", "POST")}
THROWAWAY = ("petugas3", "loket-tiga-kata-sandi-panjang")

LOGIN_PAGE = "/counter/login"
KIOSK_REGISTER_PAGE = "/kiosk/register"
ORDER = (OFFICER, SUPERVISOR, ADMIN)


# -- the office and who calls it -----------------------------------------------------------

@dataclass
class Caller:
    """One identity probing the app: a browser (session cookie) and, for the API, a bearer token."""

    name: str
    browser: FlaskClient
    bearer: dict = field(default_factory=dict)
    csrf: str = ""


@dataclass
class Office:
    app: Flask
    callers: dict[str, Caller]
    kiosk_token: str


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _browser(app: Flask) -> tuple[FlaskClient, str]:
    client = app.test_client()
    return client, csrf_of(client.get(LOGIN_PAGE).get_data(as_text=True))


def _staff(app: Flask, name: str, username: str, password: str) -> Caller:
    client, token = _browser(app)
    signed_in = client.post(LOGIN_PAGE, data={"username": username, "password": password, "csrf_token": token})
    assert signed_in.status_code == 302, f"{username} could not sign in"
    api = app.test_client().post("/api/login", json={"username": username, "password": password})
    assert api.status_code == 200, api.get_json()
    caller = Caller(name, client, {"Authorization": f"Bearer {api.get_json()['token']}"})
    caller.csrf = csrf_of(client.get(LOGIN_PAGE).get_data(as_text=True))
    return caller


def make_office(instance, app: Flask | None = None) -> Office:
    """The demo office with a second officer, and a caller for every identity."""
    logins = read_demo_logins(instance)
    app = app or create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading"}, instance_path=instance)
    second_password = "loket-dua-" + "kata-sandi-panjang"
    with app.app_context():
        from shared.web import context

        accounts.add_staff(context.db(), "petugas2", second_password, "officer", context.now())
        accounts.add_staff(context.db(), *THROWAWAY, "officer", context.now())
    anonymous, anonymous_csrf = _browser(app)
    kiosk_browser, kiosk_csrf = _browser(app)
    registered = kiosk_browser.post(KIOSK_REGISTER_PAGE, data={"token": logins.kiosk_token, "csrf_token": kiosk_csrf})
    assert registered.status_code == 302
    kiosk_csrf = csrf_of(kiosk_browser.get(LOGIN_PAGE).get_data(as_text=True))  # registering starts a new session
    callers = {
        "anonymous": Caller("anonymous", anonymous, {}, anonymous_csrf),
        "kiosk": Caller("kiosk", kiosk_browser, {"Authorization": f"Bearer {logins.kiosk_token}"}, kiosk_csrf),
        OFFICER: _staff(app, OFFICER, "petugas", logins.passwords["petugas"]),
        "other officer": _staff(app, "other officer", "petugas2", second_password),
        SUPERVISOR: _staff(app, SUPERVISOR, "supervisor", logins.passwords["supervisor"]),
        ADMIN: _staff(app, ADMIN, "admin", logins.passwords["admin"]),
    }
    office = Office(app, callers, logins.kiosk_token)
    hold_counter(office)
    return office


def hold_counter(office: Office) -> None:
    """The first officer works counter 1, so the other officer's actions there meet a held counter."""
    supervisor, officer = office.callers[SUPERVISOR], office.callers[OFFICER]
    for action, caller in (("take-over", supervisor), ("release", supervisor), ("open", officer)):
        answer = caller.browser.post(f"/api/counters/1/{action}", headers=caller.bearer, json={})
        assert answer.status_code == 200, answer.get_json()


@pytest.fixture(scope="module")
def office(tmp_path_factory, demo_template) -> Office:
    instance = tmp_path_factory.mktemp("roles") / "instance"
    shutil.copytree(demo_template, instance)
    return make_office(instance)


# -- what the app has --------------------------------------------------------------------------

def routes_of(app: Flask) -> set[tuple[str, str]]:
    return {(rule.rule, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def socket_events_of(server) -> set[tuple[str, str]]:
    """Every (namespace, event) with a handler, decorator-registered or class-based."""
    found = {(namespace, event) for namespace, handlers in server.handlers.items() for event in handlers}
    for namespace, handler in getattr(server, "namespace_handlers", {}).items():
        found.update((namespace, name[3:]) for name in dir(handler) if name.startswith("on_"))
    return found


def unclassified(found: set, table: dict) -> list[str]:
    return [f"{entry} is not in the role table of tests/test_roles.py" for entry in sorted(found - set(table))]


# -- probing ---------------------------------------------------------------------------------

def url_for_rule(rule: str, overrides: dict[str, str] | None = None) -> str:
    values = dict(PROBE_ARGS, **(overrides or {}))
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda match: values.get(match.group(1), "x"), rule)


def send(caller: Caller, method: str, url: str, *, bearer: bool, csrf: bool = True):
    """One request as this caller: the API with its bearer token (when `bearer`), pages with its cookie."""
    headers = dict(caller.bearer) if bearer else {}
    if url.startswith("/api/"):
        if csrf and not bearer and caller.csrf:
            headers["X-CSRFToken"] = caller.csrf
        body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        return caller.browser.open(url, method=method, headers=headers, **body)
    data = {"csrf_token": caller.csrf} if csrf and method != "GET" else {}
    return caller.browser.open(url, method=method, headers=headers, data=data if method != "GET" else None)


def _pattern(msgid: str) -> re.Pattern:
    """A refusal message as the pages show it in Indonesian, any placeholder matching anything."""
    return re.compile(re.sub(r"%\\\(\w+\\\)s", ".+?", re.escape(translate(msgid, "id"))))


# Console buttons answer a refusal the way they answer every error: back to the console with
# the reason shown (post/redirect/get). These are the reasons that mean "not yours to do".
FLASHED_REFUSALS = [_pattern(msgid) for msgid in (
    "You may not do this.",
    "Only a supervisor can take over a counter.",
    "Counter %(counter)s is being worked by %(username)s. Ask a supervisor to take it over.",
)]


def refused(response, url: str, *, counter_taken_counts: bool = False, browser: FlaskClient | None = None) -> bool:
    """Did the app refuse this caller (not merely fail the request for another reason)?"""
    if response.status_code in (401, 403):
        return True
    if counter_taken_counts and response.status_code == 409:
        return (response.get_json(silent=True) or {}).get("error", {}).get("code") == "counter_taken"
    if response.status_code in (302, 303) and not url.startswith("/api/"):
        target = response.headers.get("Location", "").split("?")[0]
        if target.endswith((LOGIN_PAGE, KIOSK_REGISTER_PAGE)):
            return True
        if browser is not None:
            page = browser.get(target).get_data(as_text=True)
            return any(pattern.search(page) for pattern in FLASHED_REFUSALS)
    return False


def wrong_callers(role: str) -> list[str]:
    """The identities `role` must refuse (besides anonymous)."""
    if role == KIOSK:
        return [OFFICER, ADMIN]
    if role in (OFFICER, KIOSK_OR_OFFICER):
        return ["kiosk"] if role == OFFICER else []
    if role == COUNTER:
        return ["kiosk", "other officer"]
    below = ORDER[:ORDER.index(role)]
    return ["kiosk", *below]


def allowed_caller(role: str) -> str:
    return {KIOSK: "kiosk", KIOSK_OR_OFFICER: "kiosk", COUNTER: OFFICER}.get(role, role)


def probes(table: dict, extra: list) -> list[tuple[str, str, dict, str]]:
    return [(rule, method, {}, role) for (rule, method), role in sorted(table.items())] + list(extra)


def refusal_problems(office: Office, table: dict, extra: list | None = None) -> list[str]:
    """Each protected route refuses anonymous and wrong-role callers and lets its own role in."""
    problems = []
    for rule, method, overrides, role in probes(table, EXTRA_PROBES if extra is None else extra):
        if role == PUBLIC:
            continue
        url = url_for_rule(rule, overrides)
        api = url.startswith("/api/")
        if role == COUNTER:
            hold_counter(office)
        answer = send(office.callers["anonymous"], method, url, bearer=False)
        if not refused(answer, url):
            problems.append(f"{method} {url} [{role}]: anonymous got {answer.status_code}")
        for name in wrong_callers(role):
            answer = send(office.callers[name], method, url, bearer=api)
            if not refused(answer, url, counter_taken_counts=role == COUNTER, browser=office.callers[name].browser):
                problems.append(f"{method} {url} [{role}]: {name} got {answer.status_code}")
        name = allowed_caller(role)
        caller = office.callers[name]
        if (rule, method) in SIGN_OUTS:
            name, caller = "a throwaway officer", _staff(office.app, name, *THROWAWAY)
        answer = send(caller, method, url, bearer=api)
        if refused(answer, url, browser=caller.browser):
            problems.append(f"{method} {url} [{role}]: {name} was refused ({answer.status_code}); "
                            "the table says they may")
    return problems


def csrf_problems(office: Office, table: dict) -> list[str]:
    """State changes riding on a browser session are refused without a CSRF token."""
    problems = []
    for (rule, method), role in sorted(table.items()):
        if method == "GET":
            continue
        url = url_for_rule(rule)
        if url.startswith("/api/") and role == PUBLIC:
            continue  # no ambient credential on a public API call: nothing for a forged form to ride on
        name = "anonymous" if role == PUBLIC else allowed_caller(role)
        answer = send(office.callers[name], method, url, bearer=False, csrf=False)
        if answer.status_code != 400 or (answer.get_json(silent=True) or {}).get("error", {}).get("code") not in (
                None, "csrf_failed"):
            problems.append(f"{method} {url} [{role}]: {name} without a CSRF token got {answer.status_code}")
    return problems


def socket_problems(office: Office, table: dict) -> list[str]:
    """Staff namespaces refuse anonymous and wrong-role connections and let their role in."""
    problems = []
    for (namespace, event), role in sorted(table.items()):
        if event != "connect" or role == PUBLIC:
            continue
        attempts = [("anonymous", office.callers["anonymous"].browser, None, False),
                    ("a kiosk's token", office.callers["anonymous"].browser, {"token": office.kiosk_token}, False),
                    ("a kiosk's session", office.callers["kiosk"].browser, None, False),
                    ("a forged token", office.callers["anonymous"].browser, {"token": "forged"}, False)]
        attempts += [(name, office.callers[name].browser, None, False) for name in wrong_callers(role)
                     if name in ORDER]
        name = allowed_caller(role)
        token = office.callers[name].bearer["Authorization"].split(" ", 1)[1]
        attempts += [(f"{name}'s session", office.callers[name].browser, None, True),
                     (f"{name}'s token", office.callers["anonymous"].browser, {"token": token}, True)]
        for label, browser, auth, expected in attempts:
            client = socketio.test_client(office.app, namespace=namespace, auth=auth, flask_test_client=browser)
            connected = client.is_connected(namespace)
            if connected:
                client.disconnect(namespace)
            if connected != expected:
                problems.append(f"socket {namespace} [{role}]: {label} {'connected' if connected else 'was refused'}")
    for (namespace, event), role in sorted(table.items()):
        connect_role = table.get((namespace, "connect"), PUBLIC)
        if event in ("connect", "disconnect") or role == connect_role:
            continue
        handler = socketio.server.handlers.get(namespace, {}).get(event)
        if getattr(handler, "required_role", None) != role:
            problems.append(f"socket {namespace} {event} [{role}]: needs more than connecting does, "
                            "so its handler must check the role (shared.web.auth)")
    return problems


# -- the tests ---------------------------------------------------------------------------------

def test_every_route_is_in_the_role_table(office):
    assert unclassified(routes_of(office.app), ROUTES) == []


def test_the_table_names_no_route_that_is_gone(office):
    assert sorted(set(ROUTES) - routes_of(office.app)) == []


def test_every_socket_event_is_in_the_role_table(office):
    assert unclassified(socket_events_of(socketio.server), SOCKETS) == []


def test_protected_routes_refuse_anonymous_and_wrong_roles_and_admit_their_own(office):
    assert refusal_problems(office, ROUTES) == []


def test_state_changes_on_a_browser_session_need_their_csrf_token(office):
    assert csrf_problems(office, ROUTES) == []


def test_staff_sockets_refuse_anonymous_and_wrong_roles(office):
    assert socket_problems(office, SOCKETS) == []


# -- the audit itself fails on a planted hole --------------------------------------------------

@pytest.fixture(scope="module")
def planted(tmp_path_factory, demo_template) -> Office:
    """A second app of the same office with two routes nobody protected."""
    instance = tmp_path_factory.mktemp("planted") / "instance"
    shutil.copytree(demo_template, instance)
    app = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading"}, instance_path=instance)
    app.add_url_rule("/api/planted", "planted_api", lambda: {"secret": True}, methods=["GET"])
    app.add_url_rule("/admin/planted", "planted_page", lambda: "secret", methods=["GET", "POST"])
    return make_office(instance, app)


def test_a_planted_route_is_reported_as_unclassified(planted):
    problems = unclassified(routes_of(planted.app), ROUTES)
    assert any("/api/planted" in problem for problem in problems)
    assert any("/admin/planted" in problem for problem in problems)


def test_a_planted_route_classified_but_unprotected_is_reported(planted):
    table = {("/api/planted", "GET"): ADMIN, ("/admin/planted", "GET"): SUPERVISOR,
             ("/admin/planted", "POST"): OFFICER}
    problems = refusal_problems(planted, table, extra=[])
    assert any("GET /api/planted [admin]: anonymous got 200" in problem for problem in problems)
    assert any("GET /api/planted [admin]: supervisor got 200" in problem for problem in problems)
    assert any("GET /admin/planted [supervisor]: officer got 200" in problem for problem in problems)
    assert any("POST /admin/planted [officer]: anonymous got 200" in problem for problem in problems)


def test_a_route_classified_above_what_it_enforces_is_caught(planted):
    # The console refuses nobody signed in as an officer: calling it supervisor-only is a lie.
    problems = refusal_problems(planted, {("/counter/", "GET"): SUPERVISOR}, extra=[])
    assert problems == ["GET /counter/ [supervisor]: officer got 200"]


def test_a_planted_socket_event_is_reported():
    found = socket_events_of(socketio.server) | {("/planted", "connect")}
    assert "('/planted', 'connect') is not in the role table of tests/test_roles.py" in unclassified(found, SOCKETS)


def test_a_form_without_csrf_protection_is_reported(planted):
    # The planted page takes POSTs; exempting it from CSRF must show up.
    planted.app.view_functions["planted_page"].csrf_exempt = True
    try:
        problems = csrf_problems(planted, {("/admin/planted", "POST"): OFFICER})
    finally:
        del planted.app.view_functions["planted_page"].csrf_exempt
    assert problems == ["POST /admin/planted [officer]: officer without a CSRF token got 200"]


def test_a_socket_namespace_classified_above_what_it_enforces_is_caught(office):
    # Officers may connect to /counter: calling it supervisor-only must be reported.
    problems = socket_problems(office, {("/counter", "connect"): SUPERVISOR})
    assert problems == ["socket /counter [supervisor]: officer connected"]
