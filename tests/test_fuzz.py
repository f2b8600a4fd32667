"""A property-based fuzzer over the whole API and every Socket.IO namespace.

Hypothesis draws requests from `GET /api/openapi.json`'s operations (and the file routes it
leaves out, and the kiosk screen's own pages): each one with a caller (anonymous, the kiosk's
token, a registered kiosk browser's session cookie with and without its CSRF token, an officer's,
a supervisor's and an admin's token, a supervisor's browser session with and without its CSRF
token, forged tokens), path parameters (real ticket and booking tokens and counter numbers, forged
and hostile ones, numbers past SQLite's 64 bits), query strings, headers and a body that is shaped like the
operation's schema with each field valid or hostile (wrong types, markup, control characters,
lone surrogates, huge strings, NaN), or any JSON, or bytes that are not JSON at all. Valid values
come often enough that tickets are issued, called, finished, booked and moved, so the hostile
ones reach deep code, not only the first check.

Every answer must be below 500; every 4xx must carry the error shape; a success must match the
document's schema (a kiosk page only has to answer below 500). Socket.IO clients connect to every
namespace (and unknown ones) with every kind of credential or `auth` value (objects, strings,
lists, numbers, nested junk, numbers of hundreds of digits) and emit every event, unknown events,
malformed payloads and raw frames: no handler may raise, and a display connected throughout still
hears.
No error may be logged. Afterwards the database must hold: ticket numbers unique per service and
day, one current ticket per counter, a ticket's status equal to its last recorded change, booking
slots within their places, and the audit chain verifying.

`make test` sends ANTREAN_FUZZ_REQUESTS (default 10,000) HTTP requests and ANTREAN_FUZZ_SOCKETS
(default 1,500) socket sessions; ANTREAN_FUZZ_SEED picks another run (docs/PERFORMANCE.md).
The kiosk's rate limit is raised in this office and requests come from many addresses, so the
floods reach the code behind the limits (which are tested on their own elsewhere).
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote, urlencode
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from socketio import packet as socketio_packet

from werkzeug.security import generate_password_hash

from shared.services import accounts, audit
from shared.web import create_app, openapi
from shared.web.extensions import socketio
from tests.helpers.live import read_demo_logins

REQUESTS = int(os.environ.get("ANTREAN_FUZZ_REQUESTS", "10000"))
SOCKET_SESSIONS = int(os.environ.get("ANTREAN_FUZZ_SOCKETS", "1500"))
SEED = int(os.environ.get("ANTREAN_FUZZ_SEED", "20261204"))
PASSWORD = "Fuzz-kelinci-hijau-4471"
FUZZ_USERS = {"officer": "fz-officer", "supervisor": "fz-supervisor", "admin": "fz-admin"}
CALLERS = ("anonymous", "kiosk", "kiosk-session", "kiosk-session-no-csrf", "officer", "supervisor", "admin",
           "session", "session-no-csrf", "forged-staff", "forged-random", "kiosk-on-staff")
NAMESPACES = ("/display", "/counter", "/floor", "/ticket", "/", "/nope", "/counter/../floor")
FUZZ_SETTINGS = dict(deadline=None, database=None, derandomize=False, print_blob=True,
                     suppress_health_check=list(HealthCheck))

# Values that have broken servers before: markup, injections, traversal, odd Unicode (digits
# that str.isdigit() accepts and int() refuses, a lone surrogate SQLite cannot store as UTF-8,
# right-to-left marks, NUL), numbers in words, dates that do not exist, huge text.
HOSTILE_TEXT = (
    "", " ", "\t\n", "\x00", "A-001\x00", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "' OR 1=1 --", "\"; DROP TABLE tickets; --", "../../../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%00",
    "{{7*7}}", "${jndi:ldap://x}", "%s%s%n", "²", "١٢٣", "\u202egnirts", "\ud800", "\U0001F600" * 50, "𝟘𝟙",
    "NaN", "Infinity", "-1", "0", "007", "1e400", "99999999999999999999999", "true", "null", "[]", "{}",
    "2026-02-30", "0001-01-01", "9999-12-31", "2026-13-01", "25:61", "24:00", "-08:00", "A" * 5000,
    "é" * 300, "general ", "GENERAL", "Konsultasi", "e-002", "E2", "A-1000", "Z-999",
)
ODD_JSON = (None, True, False, 0, -1, 1.5, 2**63, -(2**63) - 1, 10**400, float("nan"), float("inf"),
            [], {}, [None], {"": None}, "x" * 70_000)


@dataclass(frozen=True)
class Pick:
    """A value chosen at send time from what the office holds then (tickets issued so far…)."""

    kind: str
    index: int


@dataclass
class Office:
    """The fuzzed app, its callers and the pools of real values requests draw from."""

    app: object
    instance: object
    logins: object
    headers: dict = field(default_factory=dict)
    session: object = None
    csrf: str = ""
    kiosk_session: object = None
    kiosk_csrf: str = ""
    pools: dict = field(default_factory=dict)
    own_kiosk: int = 0
    sent: int = 0
    sockets: int = 0
    problems: list = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    kiosk_browser: Counter = field(default_factory=Counter)


@lru_cache(maxsize=None)
def picks(kind: str):
    return st.integers(0, 10_000).map(lambda index: Pick(kind, index))


# What a client can put in a header (printable Latin-1; a newline never leaves the client).
header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=20)
hostile_text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.sampled_from(HOSTILE_TEXT), st.text(max_size=30))
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                         hostile_text)
# Flat containers only: Hypothesis draws them several times faster than recursive ones, and the
# deep nesting a parser chokes on comes from the raw bodies below.
json_values = st.one_of(st.sampled_from(ODD_JSON), json_scalars, st.lists(json_scalars, max_size=3),
                        st.dictionaries(st.text(max_size=8), json_scalars, max_size=3))

# A field's valid values, by name (what a real client would send), mixed with hostile ones below.
VALID = {
    "service": picks("service"), "lane": picks("lane"), "number": picks("number"), "date": picks("date"),
    "start": picks("start"), "code": picks("code"), "state": st.sampled_from(["open", "paused", "closed"]),
    "counter": st.integers(0, 9), "counters": st.lists(st.integers(0, 9), max_size=3),
    "max_inside": st.integers(-2, 60), "score": st.integers(0, 5),
    "elements": st.dictionaries(st.sampled_from([f"U{n}" for n in range(0, 11)]), st.integers(0, 5), max_size=10),
    "role": st.sampled_from(["officer", "supervisor", "admin", "root"]), "active": st.booleans(),
    "reason": st.sampled_from(["not_eligible", "visitor_asked", "Dipanggil ulang"]),
    "username": st.sampled_from(["petugas", "supervisor", "admin", "baru-1", "baru-2"]),
    "password": st.sampled_from(["Rahasia-panjang-sekali-29", "short", PASSWORD]),
    "current": st.sampled_from([PASSWORD, "salah"]), "new": st.sampled_from([PASSWORD, "x", "password123"]),
    "name": st.sampled_from(["Kiosk Lobi", "Kiosk 2"]),
    "contact": st.sampled_from(["081234567890", "+6281234567890", "warga@example.id", "08", "bukan"]),
    "text": st.sampled_from(["Selamat datang", "", "<b>tebal</b>"]),
    "comment": st.sampled_from(["Cepat dan ramah", "<script>alert(1)</script>"]),
}


# Strategies are built once per field, path parameter and operation (Hypothesis validates each new
# strategy object, which cost more than drawing from it when they were made per request).
@lru_cache(maxsize=None)
def field_values(name: str):
    valid = VALID.get(name, hostile_text)
    return st.one_of(valid, valid, valid, hostile_text, json_values)


RAW_BODIES = st.one_of(st.binary(max_size=200), st.sampled_from(
    [b"{", b'{"service": }', b"\xff\xfe{}", b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000, b"null",
     b'{"service": "konsultasi"' + b" " * 70_000 + b"}"]))


def bodies(schema: dict | None):
    """(kind, value): a body shaped like the schema, any JSON, raw bytes, a form, or none."""
    properties = sorted((schema or {}).get("properties", {}))
    required = (schema or {}).get("required", [])
    names = properties + ["extra"]
    some = st.lists(st.sampled_from(names), unique=True, max_size=len(names)).map(lambda chosen: {
        name: field_values(name) for name in chosen})
    every_required = st.lists(st.sampled_from(names), unique=True, max_size=len(names)).map(lambda chosen: {
        name: field_values(name) for name in sorted(set(chosen) | set(required))})
    shaped = st.one_of(some, every_required).flatmap(st.fixed_dictionaries).map(lambda body: ("json", body))
    # As a real client sends it: every required field and some optional ones, all valid values.
    valid = st.fixed_dictionaries({name: VALID.get(name, hostile_text) for name in required}, optional={
        name: VALID.get(name, hostile_text) for name in properties if name not in required})
    form = st.dictionaries(st.sampled_from(properties + ["csrf_token"]), hostile_text, max_size=3)
    valid = valid.map(lambda body: ("json", body))
    return st.one_of(shaped, shaped, shaped, valid, valid, valid, json_values.map(lambda body: ("json", body)),
                     RAW_BODIES.map(lambda body: ("bytes", body)), form.map(lambda body: ("form", body)),
                     st.just(("none", None)))


@lru_cache(maxsize=None)
def path_value(converter: str, name: str):
    if name == "code":  # a service's code in the kiosk pages' paths
        return st.one_of(picks("service"), picks("service"), hostile_text)
    if name == "token":
        return st.one_of(picks("ticket_token"), picks("ticket_token"), picks("booking_token"), hostile_text,
                         st.sampled_from(["WzEsMTc5NTYyNzI2NF0.IvbtZFBZg6fPug7jTxmMzw5kXaQ", "a.b.c", "."]))
    if name == "action":
        actions = st.sampled_from(openapi.COUNTER_ACTIONS + ["call-next"] * 4)
        return st.one_of(actions, actions, actions, hostile_text)
    if name == "username":
        return st.one_of(VALID["username"], hostile_text)
    if converter == "int":
        if name == "kiosk_id":
            return st.one_of(picks("kiosk_id"), st.integers(0, 2**70))
        return st.one_of(st.integers(0, 9), st.integers(0, 9), picks("alarm_id"), st.integers(10, 2**70))
    return hostile_text


@dataclass(frozen=True)
class Target:
    """One operation to fuzz: from the OpenAPI table, or a file route the document leaves out."""

    rule: str
    method: str
    body: dict | None
    query: tuple[str, ...]
    answer: dict | None
    status: int
    security: tuple = ()
    page: bool = False


# What a registered kiosk's screen sends to its own pages (forms, as its buttons and scanner do).
KIOSK_PAGES = (
    ("/kiosk/", "GET", ()), ("/kiosk/app", "GET", ()), ("/kiosk/services/<code>", "GET", ()),
    ("/kiosk/services/<code>/check", "GET", ()),
    ("/kiosk/services/<code>/check", "POST", ("q0", "q1", "q2", "request_key")),
    ("/kiosk/tickets", "POST", ("service", "lane", "request_key")), ("/kiosk/enter", "POST", ("code",)),
    ("/kiosk/checkin", "GET", ()), ("/kiosk/checkin", "POST", ("code",)), ("/kiosk/tickets/<token>", "GET", ()),
)

TARGETS = tuple(
    [Target(op.rule, op.method, op.body, tuple(name for name, _schema, _why in op.query), op.answer, op.status,
            tuple(name for requirement in op.security for name in requirement))
     for op in openapi.OPERATIONS]
    + [Target(rule, method, None, ("from", "to", "lang", "service"), None, 200, ("staffToken",))
       for rule, method in openapi.NOT_JSON]
    + [Target(rule, method, {"properties": dict.fromkeys(fields, {})}, ("lang", "screened"), None, 200,
              ("kioskSession",), page=True) for rule, method, fields in KIOSK_PAGES]
)


def callers(target: Target):
    """Mostly a caller the operation admits, so the requests get past the door."""
    if "kioskSession" in target.security:
        admitted = ["kiosk-session"]
    elif "kioskToken" in target.security:
        admitted = ["kiosk", "kiosk-session"]
    elif "staffToken" in target.security:
        admitted = ["officer", "supervisor", "admin", "admin", "session"]
    else:
        admitted = ["anonymous"]
    return st.one_of(st.sampled_from(admitted), st.sampled_from(admitted), st.sampled_from(CALLERS))


QUERY_VALUES = st.one_of(picks("date"), picks("service"), hostile_text)
HEADERS = st.fixed_dictionaries({}, optional={
    "Accept-Language": st.sampled_from(["en", "id", "fr, en;q=0.5", "*", ";;q=abc", "x" * 300]),
    "Idempotency-Key": st.one_of(st.sampled_from(["k1", "k2", "k" * 101]), header_text)})


def plans(target: Target):
    """Every request Hypothesis may send to one operation."""
    parameters = openapi.RULE_PARAMETER.findall(target.rule)
    path = st.tuples(*[st.tuples(st.just(converter), st.just(name), path_value(converter, name))
                       for converter, name in parameters]).map(list)
    query = st.dictionaries(st.sampled_from(target.query + ("lang", "x", "from", "limit")), QUERY_VALUES, max_size=4)
    body = page_forms(target.body) if target.page else bodies(target.body)
    return st.tuples(st.just(target), callers(target), path, query, HEADERS, body)


PAGE_VALID = {"q0": st.sampled_from(["no", "no", "yes"]), "q1": st.sampled_from(["no", "yes"]),
              "q2": st.sampled_from(["no", "yes"]), "request_key": st.one_of(st.uuids().map(str), st.sampled_from(["rk-1", "k" * 300])),
              "code": st.one_of(picks("code"), picks("ticket_link"))}


def page_forms(schema: dict):
    """A kiosk page's form: its fields valid (as the screen sends them) or hostile, or any body."""
    names = sorted(schema["properties"])
    valid = {name: PAGE_VALID.get(name, VALID.get(name, hostile_text)) for name in names}
    field = {name: st.one_of(value, hostile_text) for name, value in valid.items()}
    form = st.fixed_dictionaries({}, optional=field).map(lambda body: ("form", body))
    pressed = st.fixed_dictionaries(valid).map(lambda body: ("form", body))  # every field, as a button sends
    # What the screen sends comes first: Hypothesis leans towards a one_of's first branches.
    return st.one_of(pressed, pressed, form, bodies(None)) if names else st.one_of(st.just(("none", None)), bodies(None))


# The operations that move the queue come more often, so the invariants have work to check.
WEIGHTS = {("/api/tickets", "POST"): 6, ("/api/counters/<int:number>/<action>", "POST"): 10,
           ("/api/bookings", "POST"): 3, ("/api/remote-tickets", "POST"): 2, ("/api/checkin", "POST"): 2,
           ("/api/tickets/<token>/enter", "POST"): 2, ("/api/floor/call", "POST"): 2, ("/api/floor/move", "POST"): 2,
           ("/kiosk/tickets", "POST"): 3, ("/kiosk/checkin", "POST"): 2}
PLANS = [plans(target) for target in TARGETS for _ in range(WEIGHTS.get((target.rule, target.method), 1))]
requests = st.one_of(PLANS)


def resolve(office: Office, value):
    """A Pick becomes a real value of the office (or a hostile one when the pool is empty)."""
    if isinstance(value, Pick):
        pool = office.pools.get(value.kind) or ["kosong"]
        return pool[value.index % len(pool)]
    return value


def url_of(office: Office, target: Target, path: list) -> str:
    url = target.rule
    for converter, name, value in path:
        value = resolve(office, value)
        if name == "kiosk_id" and value == office.own_kiosk:
            value += 1000  # the fuzzer's own kiosk is not retired by it
        placeholder = f"<{converter}:{name}>" if converter else f"<{name}>"
        url = url.replace(placeholder, quote(raw(value), safe="") or "%20")
    return url


def raw(value) -> bytes:
    """A value's UTF-8 bytes, a lone surrogate included (a broken client sends such bytes)."""
    return str(value).encode("utf-8", "surrogatepass")


def caller_headers(office: Office, caller: str) -> tuple[object, dict]:
    client = office.app.test_client()
    if caller in office.headers:
        return client, dict(office.headers[caller])
    if caller == "session":
        return office.session, {"X-CSRFToken": office.csrf}
    if caller == "session-no-csrf":
        return office.session, {}
    if caller == "kiosk-session":  # its pages send the token as a form field, added in send()
        return office.kiosk_session, {"X-CSRFToken": office.kiosk_csrf}
    if caller == "kiosk-session-no-csrf":
        return office.kiosk_session, {}
    if caller == "forged-staff":
        token = office.headers["supervisor"]["Authorization"]
        return client, {"Authorization": token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")}
    if caller == "forged-random":
        return client, {"Authorization": "Bearer WzEsMTc5NTYyNzI2NF0.awcZAA.erf5Utzyh8IdBu4PImYLG41Ih7c"}
    if caller == "kiosk-on-staff":
        return client, {"Authorization": "Bearer " + office.logins.kiosk_token + "x"}
    return client, {}


def send(office: Office, plan):
    target, caller, path, query, headers, (kind, body) = plan
    client, auth = caller_headers(office, caller)
    url = url_of(office, target, path)
    query = urlencode([(name, raw(resolve(office, value))) for name, value in query.items()])
    # Visitors come from many phones: limits per address (bookings, ratings) still bite, later.
    kwargs = {"headers": {**headers, **auth}, "query_string": query,
              "environ_base": {"REMOTE_ADDR": f"10.0.{office.sent % 7}.{office.sent % 101 + 1}"}}
    if isinstance(body, dict):
        body = {name: resolve(office, value) for name, value in body.items()}
    if kind == "json":
        kwargs["data"] = json.dumps(body, allow_nan=True)
        kwargs["content_type"] = "application/json"
    elif kind == "bytes":
        kwargs["data"] = body
        kwargs["content_type"] = "application/json"
    elif kind == "form":
        if caller == "kiosk-session":  # as the kiosk screen's forms carry it
            body = {"csrf_token": office.kiosk_csrf, **body}
        kwargs["data"] = urlencode([(name, raw(value)) for name, value in body.items()])
        kwargs["content_type"] = "application/x-www-form-urlencoded"
    office.sent += 1
    response = client.open(url, method=target.method, **kwargs)
    office.statuses[response.status_code] += 1
    if caller == "kiosk-session":
        office.kiosk_browser[("page" if target.page else "api", response.status_code)] += 1
    learn(office, target, response)
    return url, response


def learn(office: Office, target: Target, response) -> None:
    """Keep the tokens and numbers answers hand out, so later requests use them."""
    if target.rule in ("/api/logout", "/api/password") and response.status_code in (200, 204):
        sign_in(office)  # the fuzzer's own account ended its sessions everywhere: come back
        return
    location = response.headers.get("Location", "")
    if target.page and "/kiosk/tickets/" in location:  # a ticket the kiosk screen issued and shows
        token = location.rsplit("/kiosk/tickets/", 1)[1].split("?", 1)[0]
        office.pools["ticket_token"].append(token)
        office.pools["ticket_link"].append(f"https://antrean.example/t/{token}")
        return
    if response.status_code not in (200, 201) or not response.is_json:
        return
    body = response.get_json()
    if not isinstance(body, dict):
        return
    if target.rule in ("/api/tickets", "/api/remote-tickets", "/api/checkin") and "token" in body:
        office.pools["ticket_token"].append(body["token"])
        office.pools["ticket_link"].append(f"https://antrean.example/t/{body['token']}")
        office.pools["number"].append(body["number"])
    elif target.rule == "/api/bookings":
        office.pools["booking_token"].append(body["token"])
        office.pools["code"].append(body["code"])
    elif target.rule == "/api/alarms":
        office.pools["alarm_id"].append(body["id"])
    elif target.rule == "/api/kiosks" and target.method == "POST":
        office.pools["kiosk_id"].append(body["id"])


VALIDATORS: dict = {}


def problems_of(office: Office, target: Target, url: str, response) -> list[str]:
    where = f"{target.method} {url} → {response.status_code}"
    if response.status_code >= 500:
        return [f"{where}: server error {response.get_data(as_text=True)[:300]}"]
    if target.page:  # an HTML page: its own error screens, no JSON shape
        return []
    if response.status_code >= 400:
        body = response.get_json(silent=True)
        error = body.get("error") if isinstance(body, dict) else None
        if not (isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str)):
            return [f"{where}: no error shape: {response.get_data(as_text=True)[:200]}"]
        return []
    if target.answer is None or response.status_code != target.status or not response.is_json:
        return []
    validator = VALIDATORS.get((target.rule, target.method))
    if validator is None:
        document = openapi.document()
        validator = VALIDATORS[(target.rule, target.method)] = Draft202012Validator(
            {**target.answer, "components": document["components"]})
    errors = [error.message for error in validator.iter_errors(response.get_json())]
    return [f"{where}: answer does not match the document: {errors[:3]}"] if errors else []


def sign_in(office: Office) -> None:
    """Bearer tokens for the fuzzer's own accounts (never targeted by the requests)."""
    client = office.app.test_client()
    for role, username in FUZZ_USERS.items():
        answer = client.post("/api/login", json={"username": username, "password": PASSWORD})
        if answer.status_code == 401:  # a request changed this account's password to one it drew
            restore_password(office, username, role)
            answer = client.post("/api/login", json={"username": username, "password": PASSWORD})
        assert answer.status_code == 200, answer.get_json()
        office.headers[role] = {"Authorization": f"Bearer {answer.get_json()['token']}"}
    office.session = office.app.test_client()
    token = csrf_of(office.session, "/counter/login")
    office.session.post("/counter/login", data={"username": FUZZ_USERS["supervisor"], "password": PASSWORD,
                                                "csrf_token": token})
    office.csrf = csrf_of(office.session, "/counter/login")


def csrf_of(browser, page: str) -> str:
    """The CSRF token a page's forms carry for this browser's session."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(page).get_data(as_text=True))
    assert match, page
    return match.group(1)


def register_kiosk_browser(office: Office, kiosk_token: str) -> None:
    """A kiosk screen as staff set it up: registered once at /kiosk/register with the kiosk's
    token, then a session cookie; the CSRF token is the one its start screen's forms carry."""
    office.kiosk_session = office.app.test_client()
    registered = office.kiosk_session.post("/kiosk/register", data={
        "token": kiosk_token, "csrf_token": csrf_of(office.kiosk_session, "/kiosk/register")})
    assert registered.status_code == 302, registered.status_code
    office.kiosk_csrf = csrf_of(office.kiosk_session, "/kiosk/")


def restore_password(office: Office, username: str, role: str) -> None:
    """As `antrean user add` on an existing account does: the password back, its sessions ended."""
    store = office.app.extensions["antrean.office"]
    db = store.store.connect()
    try:
        accounts.add_staff(db, username, PASSWORD, role, store.clock())
    finally:
        db.close()


def cheap_hash(password: str) -> str:
    return generate_password_hash(password, "pbkdf2:sha256:1")


@pytest.fixture(scope="module")
def cheap_passwords():
    """Staff passwords hashed with one round here: scrypt costs ~150 ms a sign-in, and thousands of
    sign-ins, new accounts and resets would take most of the run hashing."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "hash_password", cheap_hash)
        patch.setattr(accounts, "_DUMMY_HASH", cheap_hash("nobody"))
        yield


@pytest.fixture(scope="module")
def office(tmp_path_factory, demo_template, cheap_passwords):
    path = tmp_path_factory.mktemp("fuzz") / "instance"
    shutil.copytree(demo_template, path)
    # The kiosk's limit is raised in this office's own file; the limiter itself stays on (it is one
    # object for every app of the process, so switching it off here would switch it off for the
    # tests that run after).
    config = path / "office.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'rate_limit = "60 per minute"', 'rate_limit = "100000 per minute"'), encoding="utf-8")
    app = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading"}, instance_path=path)
    logins = read_demo_logins(path)
    fuzzed = Office(app, path, logins)
    client = app.test_client()
    admin = client.post("/api/login", json={"username": "admin", "password": logins.passwords["admin"]})
    admin_headers = {"Authorization": f"Bearer {admin.get_json()['token']}"}
    for role, username in FUZZ_USERS.items():
        made = client.post("/api/users", json={"username": username, "role": role, "password": PASSWORD},
                           headers=admin_headers)
        assert made.status_code == 201, made.get_json()
    sign_in(fuzzed)
    for username in ("petugas", "supervisor", "admin"):  # the demo's accounts too, which requests target
        reset = client.post(f"/api/users/{username}/password", json={"password": PASSWORD},
                            headers=fuzzed.headers["admin"])
        assert reset.status_code == 200, reset.get_json()
    kiosk = client.post("/api/kiosks", json={"name": "Fuzz kiosk"}, headers=fuzzed.headers["admin"]).get_json()
    fuzzed.headers["kiosk"] = {"Authorization": f"Bearer {kiosk['token']}"}
    fuzzed.own_kiosk = kiosk["id"]
    register_kiosk_browser(fuzzed, kiosk["token"])
    sign_in(fuzzed)
    services = client.get("/api/services").get_json()
    today = date.fromisoformat(app.extensions["antrean.office"].today())
    days = [today + timedelta(days=offset) for offset in (-1, 0, 1, 2)]
    starts = sorted({slot["start"] for day in days[1:3] for service in services for slot in client.get(
        "/api/slots", query_string={"service": service["code"], "date": day.isoformat()}).get_json()})
    fuzzed.pools = {
        "service": [service["code"] for service in services] + ["tidak_ada"],
        "lane": sorted({lane for service in services for lane in service["lanes"]}) + ["vip"],
        "date": [day.isoformat() for day in days], "start": starts or ["08:00"],
        "ticket_token": [], "ticket_link": [], "booking_token": [], "number": [], "code": [], "alarm_id": [1],
        "kiosk_id": [1],
    }
    for service in services[:4]:  # a queue to call from the first request on
        for lane in service["lanes"][:2]:
            learn(fuzzed, TARGETS[[t.rule for t in TARGETS].index("/api/tickets")], client.post(
                "/api/tickets", json={"service": service["code"], "lane": lane}, headers=fuzzed.headers["kiosk"]))
    return fuzzed


@pytest.fixture
def logged_errors(caplog):
    caplog.set_level(logging.ERROR)
    yield caplog
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [record.getMessage()[:300] for record in errors] == []


def test_the_api_survives_hostile_requests_from_every_caller(office, logged_errors):
    @seed(SEED)
    @settings(max_examples=REQUESTS, **FUZZ_SETTINGS)
    @given(plan=requests)
    def fuzz(plan):
        url, response = send(office, plan)
        problems = problems_of(office, plan[0], url, response)
        office.problems.extend(problems)
        assert problems == []

    fuzz()
    assert office.sent >= REQUESTS
    assert_consistent(office)


# Integers past the 100 digits python-engineio's own decoder refused a whole frame for (up to
# the 4,300 digits Python writes): the server reads them as floats (shared/web/socket_errors.py).
HUGE_NUMBERS = st.one_of(st.sampled_from([10**100, 10**101, -(10**150), 2**64, 10**400, 10**4000]),
                         st.integers(10**100, 10**1000))
socket_values = st.one_of(json_values, json_values, json_values, HUGE_NUMBERS,
                          st.lists(HUGE_NUMBERS, max_size=2), st.dictionaries(st.text(max_size=4), HUGE_NUMBERS,
                                                                              max_size=2))
# Protocol v5's CONNECT should carry an object or nothing; a real client can send anything.
junk = st.recursive(st.one_of(json_scalars, HUGE_NUMBERS), lambda children: st.one_of(
    st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3)), max_leaves=10)
SOCKET_AUTH = st.one_of(
    st.none(), st.sampled_from(["officer", "supervisor", "admin", "kiosk"]),
    st.dictionaries(st.text(max_size=8), socket_values, max_size=3),
    st.fixed_dictionaries({"token": socket_values}), st.fixed_dictionaries({"since": socket_values}),
    st.fixed_dictionaries({"since": st.one_of(st.integers(-5, 50), st.integers(2**62, 2**70))}),
    socket_values, junk, st.lists(st.sampled_from(["token", "since", "x" * 70_000]), max_size=3))


@st.composite
def socket_sessions(draw):
    namespace = draw(st.sampled_from(NAMESPACES))
    auth = draw(SOCKET_AUTH)
    session = draw(st.sampled_from(["none", "staff", "kiosk"]))
    events = draw(st.lists(st.one_of(st.tuples(
        st.one_of(st.sampled_from(["watch", "watch", "connect", "disconnect", "message", "json", "snapshot"]),
                  st.text(max_size=20)),
        st.one_of(st.fixed_dictionaries({"token": st.one_of(picks("ticket_token"), hostile_text, socket_values)}),
                  socket_values)), RAW_FRAMES.map(lambda text: (RAW, text))), max_size=4))
    return namespace, auth, session, events


RAW = object()  # an event that is a raw Socket.IO packet, as a hand-written client sends it
RAW_FRAMES = st.tuples(st.sampled_from(["0", "1", "2", "3", "4", "5", "6", "7", "21-", ""]),
                       st.sampled_from(NAMESPACES + ("",)), st.sampled_from([",", ""]),
                       st.one_of(st.text(max_size=12), st.sampled_from(
                           ["[", "{}", "[]", "[5]", '["watch"', '["watch", 1e999]', "1" * 120, "[" * 3000, '"x"']))
                       ).map("".join)


def connect(office: Office, namespace: str, auth, session: str):
    """A Socket.IO test client, or None when the server refused the connection."""
    if isinstance(auth, str) and auth in office.headers:
        token = office.headers[auth]["Authorization"].removeprefix("Bearer ")
        auth = {"token": token}
    flask_client = {"staff": office.session, "kiosk": office.kiosk_session}.get(session) or office.app.test_client()
    try:
        client = socketio.test_client(office.app, namespace=namespace, auth=auth, flask_test_client=flask_client)
    except (ConnectionRefusedError, RuntimeError):
        return None
    return client if client.is_connected(namespace) else None


def test_every_socket_namespace_survives_hostile_clients(office, logged_errors):
    display = connect(office, "/display", None, "none")  # a wall display, there all along
    assert display is not None
    @seed(SEED)
    @settings(max_examples=SOCKET_SESSIONS, **FUZZ_SETTINGS)
    @given(session=socket_sessions())
    def fuzz(session):
        namespace, auth, with_cookie, events = session
        office.sockets += 1
        client = connect(office, namespace, auth, with_cookie)
        if client is None:
            return
        try:
            for name, payload in events:
                office.sockets += 1
                if name is not RAW:
                    if isinstance(payload, dict) and isinstance(payload.get("token"), Pick):
                        payload = {"token": resolve(office, payload["token"])}
                    # As the test client's emit encodes it, without its check that the client is
                    # still connected (a raw frame may have left its own record behind).
                    payload = socketio_packet.Packet(socketio_packet.EVENT, data=[name, payload],
                                                     namespace=namespace).encode()
                client.socketio.server._handle_eio_message(client.eio_sid, payload)
            # Raw frames may leave the test client's own idea of its connection behind the server's
            # (a second CONNECT is refused while the first stands): read its queue directly.
            for packet in [packet for packet in client.queue if packet["namespace"] == namespace]:
                assert packet["name"] in ("snapshot", "queue", "called", "config", "ticket", "error", "floor",
                                          "announcement", "notice", "alarm", "alarm_acknowledged"), packet
        finally:
            if client.is_connected(namespace):
                client.disconnect(namespace)

    fuzz()
    # No hostile client took the display down with it: it is connected and hears a change.
    assert display.is_connected("/display")
    display.get_received("/display")
    said = office.app.test_client().put("/api/announcement", json={"text": "Masih terdengar"},
                                        headers=office.headers["supervisor"])
    assert said.status_code in (200, 204), said.get_json()
    assert [packet["args"][0]["text"] for packet in display.get_received("/display")
            if packet["name"] == "announcement"] == ["Masih terdengar"]
    display.disconnect("/display")
    assert_consistent(office)


def assert_consistent(office: Office) -> None:
    """The invariants, read from the database itself, and the audit chain."""
    database = sqlite3.connect(office.app.config["DATABASE"])
    try:
        check_database(office, database)
    finally:
        database.close()
    db = office.app.extensions["antrean.office"].store.connect()
    try:
        verdict = audit.verify(db)
    finally:
        db.close()
    assert verdict.broken is None, verdict.broken


def check_database(office: Office, database: sqlite3.Connection) -> None:
    tickets = database.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    # What the run did, for docs/PERFORMANCE.md (shown with `pytest -s`).
    print(f"\nfuzz: {office.sent} requests {dict(sorted(office.statuses.items()))}, {office.sockets} socket messages;",
          "tickets by status", dict(database.execute("SELECT status, COUNT(*) FROM tickets GROUP BY status")),
          "bookings", database.execute("SELECT COUNT(*) FROM bookings").fetchone()[0],
          "audit rows", database.execute("SELECT COUNT(*) FROM audit").fetchone()[0],
          "\nkiosk browser (where, status):", dict(sorted(office.kiosk_browser.items())))
    assert tickets > 20, "the fuzzer issued almost nothing: its requests stop at the first check"
    assert database.execute(
        "SELECT business_date, number_service, number, COUNT(*) FROM tickets "
        "GROUP BY business_date, number_service, number HAVING COUNT(*) > 1").fetchall() == []
    assert database.execute(
        "SELECT counter, COUNT(*) FROM tickets WHERE status IN ('called', 'serving') AND counter IS NOT NULL "
        "GROUP BY counter HAVING COUNT(*) > 1").fetchall() == []
    assert database.execute(
        "SELECT id FROM tickets WHERE status IN ('called', 'serving') AND counter IS NULL").fetchall() == []
    assert database.execute(
        "SELECT t.id, t.status, e.to_status FROM tickets t JOIN ticket_events e ON e.id = "
        "(SELECT MAX(id) FROM ticket_events WHERE ticket_id = t.id) WHERE e.to_status != t.status").fetchall() == []
    assert database.execute(
        "SELECT id FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_events WHERE ticket_id = t.id)").fetchall() == []
    rules = office.app.extensions["antrean.office"].config.booking
    for service, day, start, taken in database.execute(
            "SELECT service, business_date, start, taken FROM slot_places").fetchall():
        holding = database.execute(
            "SELECT COUNT(*) FROM bookings WHERE service = ? AND business_date = ? AND start = ? "
            "AND status != 'cancelled'", (service, day, start)).fetchone()[0]
        assert 0 <= taken <= rules.bookable_places(service), (service, day, start, taken)
        assert taken == holding, (service, day, start, taken, holding)
