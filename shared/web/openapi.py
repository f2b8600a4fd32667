"""`GET /api/openapi.json`: the JSON API described as OpenAPI 3.1, from one table kept here.

Clients (a ministry's dashboard, an integrator's gateway, a fuzzer) read the document instead
of scraping docs/API.md. It is built from `OPERATIONS` below, one entry per route and method,
with the request body's JSON Schema, the query parameters and the success answer; every
operation also answers the common error shape. `tests/test_openapi.py` compares the table with
the app's `url_map`, so a route added without an entry here (or an entry whose route is gone)
fails the suite, and validates the document and real answers against it.

Routes that answer files rather than JSON (PDFs, CSV, iCalendar, SVG) are listed in
`NOT_JSON` with the reason they are left out; docs/API.md describes them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from flask import Flask, jsonify

# Routes that are not JSON endpoints, (rule, method) → why they are not in the document.
NOT_JSON: dict[tuple[str, str], str] = {
    ("/api/tickets/<token>/pdf", "GET"): "a printable ticket (application/pdf)",
    ("/api/bookings/<token>/pdf", "GET"): "a booking slip (application/pdf)",
    ("/api/bookings/<token>/qr.svg", "GET"): "the booking's QR code (image/svg+xml)",
    ("/api/calendar/<token>.ics", "GET"): "the booking as an iCalendar event (text/calendar)",
    ("/api/audit.csv", "GET"): "the audit trail as CSV (text/csv)",
    ("/api/reports/tickets.csv", "GET"): "the tickets of a range as CSV (text/csv)",
    ("/api/reports/ikm.csv", "GET"): "the satisfaction index table as CSV (text/csv)",
    ("/api/reports/report.pdf", "GET"): "the reports' A4 PDF (application/pdf)",
}

# Who may call an operation: the security requirement objects of the document.
PUBLIC: list = []
KIOSK = [{"kioskToken": []}, {"session": [], "csrfToken": []}]
STAFF = [{"staffToken": []}, {"session": [], "csrfToken": []}]
KIOSK_OR_STAFF = KIOSK + STAFF

# The counter actions of `POST /api/counters/{number}/{action}` (docs/API.md).
COUNTER_ACTIONS = ["call-next", "call", "recall", "start", "done", "no-show", "transfer", "return", "admit",
                   "admit-call", "confirm-lane", "move-to-general", "open", "pause", "close", "take-over", "release"]

DATE = {"type": "string", "format": "date"}
TIME = {"type": ["string", "null"], "format": "date-time"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
ANY_OBJECT = {"type": "object"}


def text(limit: int, **extra) -> dict:
    """A non-empty string field of at most `limit` characters."""
    return {"type": "string", "minLength": 1, "maxLength": limit, **extra}


def obj(required: tuple[str, ...] = (), **properties) -> dict:
    """An object schema; extra properties are allowed (clients may send more, answers may grow)."""
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


NULLABLE_TEXT = {"type": ["string", "null"]}

SCHEMAS = {
    "Error": obj(("error",), error=obj(("code", "message"), code={"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                                       message={"type": "string"})),
    "Service": obj(("code", "name", "prefix", "lanes"), code={"type": "string"}, name={"type": "string"},
                   prefix={"type": "string"}, lanes=array({"type": "string"}),
                   names={"type": "object", "additionalProperties": {"type": "string"}}),
    "Counter": obj(("number", "name", "services", "lanes", "state"), number=INT, name={"type": "string"},
                   services=array({"type": "string"}), lanes={"type": ["array", "null"], "items": {"type": "string"}},
                   state={"enum": ["open", "paused", "closed"]}, officer=NULLABLE_TEXT),
    "Call": obj(("counter", "number", "service", "lane", "called_at"), counter=INT, number={"type": "string"},
                service={"type": "string"}, lane={"type": "string"}, called_at=TIME),
    "Queue": obj(("seq", "calls", "waiting", "occupancy"), seq=INT, calls=array(ref("Call")),
                 recent=array(ref("Call")), invited=array({"type": "string"}),
                 waiting={"type": "object", "additionalProperties": {
                     "type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}},
                 occupancy=obj(("inside", "max"), inside={"type": "integer", "minimum": 0},
                               max={"type": ["integer", "null"]}),
                 counters={"type": "object", "additionalProperties": {"enum": ["open", "paused", "closed"]}},
                 announcement={"type": "string"}),
    "Occupancy": obj(("inside", "max"), inside={"type": "integer", "minimum": 0}, max={"type": ["integer", "null"]}),
    "TicketStatus": obj(("number", "service", "lane", "status", "ahead"), number={"type": "string"},
                        service={"type": "string"}, lane={"type": "string"}, status={"type": "string"},
                        ahead={"type": ["integer", "null"]}, counter={"type": ["integer", "null"]}),
    "IssuedTicket": obj(("id", "number", "service", "lane", "status", "token", "status_url", "pdf_url"),
                        id=INT, number={"type": "string"}, service={"type": "string"}, lane={"type": "string"},
                        status={"enum": ["waiting", "outside", "invited", "called", "serving", "done", "no_show",
                                         "cancelled"]},
                        token={"type": "string"}, status_url={"type": "string", "format": "uri"},
                        pdf_url={"type": "string", "format": "uri"}, ahead={"type": ["integer", "null"]}),
    "TicketSummary": obj(("id", "number", "service", "lane", "status", "counter"), id=INT,
                         number={"type": "string"}, service={"type": "string"}, lane={"type": "string"},
                         status={"type": "string"}, channel={"type": "string"}, counter={"type": ["integer", "null"]},
                         issued_at=TIME, arrived_at=TIME, called_at=TIME, recalls=INT),
    "Waiting": obj(("current", "waiting"), current={"oneOf": [{"type": "null"}, ref("TicketSummary")]},
                   waiting=array(ref("TicketSummary")), invited=array(ref("TicketSummary")),
                   officer=NULLABLE_TEXT),
    "Slot": obj(("start", "end", "capacity", "remaining"), start={"type": "string"}, end={"type": "string"},
                capacity={"type": "integer", "minimum": 0}, remaining={"type": "integer", "minimum": 0}),
    "Booking": obj(("code", "service", "lane", "date", "start", "end", "status"), code={"type": "string"},
                   service={"type": "string"}, lane={"type": "string"}, date={"type": "string"},
                   start={"type": "string"}, end={"type": "string"},
                   status={"enum": ["booked", "checked_in", "cancelled", "no_show"]}, confirmed=BOOL),
    "BookingCreated": obj(("code", "token", "manage_url", "qr_url", "pdf_url"), code={"type": "string"},
                          token={"type": "string"}, manage_url={"type": "string"}, qr_url={"type": "string"},
                          pdf_url={"type": "string"}),
    "Status": obj(("status",), status={"type": "string"}),
    "Login": obj(("token", "role"), token={"type": "string"}, role={"enum": ["officer", "supervisor", "admin"]}),
    "User": obj(("username", "role"), username={"type": "string"}, role={"type": "string"}, active=BOOL),
    "Kiosk": obj(("id", "name"), id=INT, name={"type": "string"}),
    "Alarm": obj(("id", "counter"), id=INT, counter=INT, by=NULLABLE_TEXT, raised_at=TIME,
                 acknowledged_by=NULLABLE_TEXT, acknowledged_at=TIME),
}

RANGE = (("from", DATE, "first business date (default: today)"), ("to", DATE, "last business date (default: today)"))
TICKET_BODY = obj(("service",), service=text(40), lane=text(40))
PASSWORD = {"type": "string", "maxLength": 200}


@dataclass(frozen=True)
class Operation:
    """One route and method: who may call it, what it reads and what it answers on success."""

    rule: str
    method: str
    summary: str
    security: list
    body: dict | None = None
    query: tuple = ()
    status: int = 200
    answer: dict | None = field(default_factory=lambda: ANY_OBJECT)
    headers: tuple[str, ...] = ()


OPERATIONS: tuple[Operation, ...] = (
    # The contract's public endpoints.
    Operation("/api/openapi.json", "GET", "This document.", PUBLIC),
    Operation("/api/services", "GET", "The services a visitor can choose, with their lanes.", PUBLIC,
              answer=array(ref("Service"))),
    Operation("/api/counters", "GET", "Every counter, what it serves and its state.", PUBLIC,
              answer=array(ref("Counter"))),
    Operation("/api/queue", "GET", "What a wall display shows (the Socket.IO snapshot).", PUBLIC, answer=ref("Queue")),
    Operation("/api/capacity", "GET", "People inside now and the cap.", PUBLIC, answer=ref("Occupancy")),
    Operation("/api/tickets/<token>", "GET", "A visitor's ticket, by its signed token.", PUBLIC,
              answer=ref("TicketStatus")),
    Operation("/api/tickets/<token>/cancel", "POST", "The visitor cancels a ticket not yet called.", PUBLIC,
              answer=ref("Status")),
    Operation("/api/tickets/<token>/let-next-go-first", "POST", "The person behind goes first.", PUBLIC,
              answer=ref("TicketStatus")),
    Operation("/api/tickets/<token>/feedback", "POST", "The visitor rates a finished visit (IKM survey).", PUBLIC,
              body=obj(("score",), score={"type": "integer", "minimum": 1, "maximum": 4},
                       comment={"type": "string", "maxLength": 500},
                       elements={"type": "object", "additionalProperties": {"type": "integer", "minimum": 1,
                                                                            "maximum": 4}}),
              status=201),
    # Kiosks.
    Operation("/api/tickets", "POST", "Issue the next number for a service and lane.", KIOSK, body=TICKET_BODY,
              status=201, answer=ref("IssuedTicket"), headers=("Idempotency-Key",)),
    Operation("/api/tickets/<token>/enter", "POST", "A ticket scanned at the door comes in.", KIOSK_OR_STAFF,
              answer=ref("TicketStatus")),
    Operation("/api/checkin", "POST", "An appointment checks in with its code.", KIOSK,
              body=obj(("code",), code=text(300)), status=201, answer=ref("IssuedTicket")),
    # Appointments and the online line.
    Operation("/api/slots", "GET", "A service's bookable slots on a date.", PUBLIC,
              query=(("service", {"type": "string"}, "service code"), ("date", DATE, "business date")),
              answer=array(ref("Slot"))),
    Operation("/api/bookings", "POST", "Book a place in a slot.", PUBLIC,
              body=obj(("service", "date", "start"), service=text(40), date=text(20), start=text(10), lane=text(40),
                       contact={"type": ["string", "null"]}),
              status=201, answer=ref("BookingCreated")),
    Operation("/api/bookings/<token>", "GET", "A booking, by its signed token.", PUBLIC, answer=ref("Booking")),
    Operation("/api/bookings/<token>/confirm", "POST", "The visitor confirms they will come.", PUBLIC,
              answer=ref("Booking")),
    Operation("/api/bookings/<token>/cancel", "POST", "Cancel a booking; its place is free at once.", PUBLIC,
              answer=ref("Status")),
    Operation("/api/bookings/<token>/reschedule", "POST", "Move a booking to another slot.", PUBLIC,
              body=obj(("date", "start"), date=text(20), start=text(10)), answer=ref("Booking")),
    Operation("/api/remote-tickets", "POST", "Join the line from home (online channel).", PUBLIC, body=TICKET_BODY,
              status=201, answer=ref("IssuedTicket")),
    # Staff.
    Operation("/api/login", "POST", "Exchange a username and password for a staff token.", PUBLIC,
              body=obj(("username", "password"), username=text(100), password=text(200)), answer=ref("Login")),
    Operation("/api/logout", "POST", "Sign out everywhere; the counters worked are freed.", STAFF),
    Operation("/api/password", "POST", "Change one's own password.", STAFF,
              body=obj(("current", "new"), current=text(200), new=PASSWORD), status=204, answer=None),
    Operation("/api/counters/<int:number>/waiting", "GET", "A counter's callable tickets in calling order.", STAFF,
              answer=ref("Waiting")),
    Operation("/api/counters/<int:number>/<action>", "POST",
              "A counter action; `call`, `return`, `admit` and `admit-call` take `number`, `call` and "
              "`move-to-general` a `reason`, `transfer` a `service`. `call-next` answers 204 when nobody waits.",
              STAFF, body=obj(number=text(200), reason=text(200), service=text(200)), answer=ANY_OBJECT,
              headers=("Idempotency-Key",)),
    Operation("/api/counters/<int:number>/state", "PUT", "Open, pause or close a counter.", STAFF,
              body=obj(("state",), state={"enum": ["open", "paused", "closed"]}), answer=ref("Counter")),
    Operation("/api/counters/<int:number>/lines", "PUT", "A counter also serves other counters' lines.", STAFF,
              body=obj(("counters",), counters=array(INT))),
    Operation("/api/capacity", "PUT", "Change the occupancy cap live (0 removes it).", STAFF,
              body=obj(("max_inside",), max_inside={"type": "integer", "minimum": 0}), answer=ref("Occupancy")),
    Operation("/api/floor", "GET", "The supervisor's floor: every counter, line and alarm.", STAFF),
    Operation("/api/floor/call", "POST", "Call a waiting ticket to a counter now.", STAFF,
              body=obj(("number", "counter", "reason"), number=text(20), counter=INT, reason=text(200))),
    Operation("/api/floor/move", "POST", "Move a queued ticket to another service or lane.", STAFF,
              body=obj(("number", "service", "lane", "reason"), number=text(20), service=text(40), lane=text(40),
                       reason=text(200)),
              answer=ref("TicketSummary")),
    Operation("/api/announcement", "PUT", "The displays' running text (\"\" clears it).", STAFF,
              body=obj(("text",), text={"type": "string", "maxLength": 200})),
    Operation("/api/alarms", "POST", "The silent alarm at a counter.", STAFF, body=obj(("counter",), counter=INT),
              status=201, answer=ref("Alarm")),
    Operation("/api/alarms/<int:alarm_id>/acknowledge", "POST", "A supervisor answers a silent alarm.", STAFF,
              answer=ref("Alarm")),
    Operation("/api/audit", "GET", "The audit trail of a range, a page at a time.", STAFF,
              query=RANGE + (("after", {"type": "integer", "minimum": 0}, "rows after this id"),
                             ("limit", {"type": "integer", "minimum": 1}, "page size"),
                             ("action", {"type": "string"}, "only this action"),
                             ("ticket", {"type": "string"}, "only this ticket number")),
              answer=array(ANY_OBJECT)),
    Operation("/api/reports/summary", "GET", "Report figures of a range.", STAFF, query=RANGE),
    # Admins.
    Operation("/api/users", "GET", "Every staff account.", STAFF, answer=array(ref("User"))),
    Operation("/api/users", "POST", "A new staff account.", STAFF,
              body=obj(("username", "role", "password"), username=text(40), role=text(20), password=PASSWORD),
              status=201, answer=ref("User")),
    Operation("/api/users/<username>", "PUT", "Change an account's role or disable it.", STAFF,
              body=obj(role=text(20), active=BOOL), answer=ref("User")),
    Operation("/api/users/<username>", "DELETE", "Remove an account.", STAFF, status=204, answer=None),
    Operation("/api/users/<username>/password", "POST", "Set an account's new password.", STAFF,
              body=obj(("password",), password=PASSWORD), answer=ref("User")),
    Operation("/api/kiosks", "GET", "Every kiosk not retired.", STAFF, answer=array(ref("Kiosk"))),
    Operation("/api/kiosks", "POST", "Register a kiosk; its token is shown this once.", STAFF,
              body=obj(("name",), name=text(60)), status=201, answer=ref("Kiosk")),
    Operation("/api/kiosks/<int:kiosk_id>", "PUT", "Rename a kiosk.", STAFF, body=obj(("name",), name=text(60)),
              answer=ref("Kiosk")),
    Operation("/api/kiosks/<int:kiosk_id>", "DELETE", "Retire a kiosk.", STAFF, status=204, answer=None),
    Operation("/api/kiosks/<int:kiosk_id>/link", "POST", "A one-time registration link for a kiosk.", STAFF,
              status=201, answer=obj(("url", "expires_at"), url={"type": "string"}, expires_at=TIME)),
)

# Status codes every operation may answer with the error shape (docs/API.md, Errors).
ERROR_STATUSES = {"400": "Malformed request", "401": "No or bad credentials", "403": "Role too low",
                  "404": "Unknown path or object", "409": "Not allowed in the current state",
                  "413": "Body over 64 KiB", "422": "Invalid value", "429": "Rate limited",
                  "503": "The database is busy, full or read-only"}

RULE_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def openapi_path(rule: str) -> str:
    """Flask's `/api/x/<int:n>` as OpenAPI's `/api/x/{n}`."""
    return RULE_PARAMETER.sub(lambda match: "{" + match.group(2) + "}", rule)


def _path_parameters(rule: str) -> list[dict]:
    parameters = []
    for converter, name in RULE_PARAMETER.findall(rule):
        schema = {"type": "integer"} if converter == "int" else {"type": "string"}
        if name == "action":
            schema = {"type": "string", "enum": COUNTER_ACTIONS}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def _operation(op: Operation) -> dict:
    parameters = _path_parameters(op.rule)
    parameters += [{"name": name, "in": "query", "required": False, "schema": schema, "description": description}
                   for name, schema, description in op.query]
    parameters += [{"name": name, "in": "header", "required": False, "schema": {"type": "string", "maxLength": 100}}
                   for name in op.headers]
    parameters.append({"name": "Accept-Language", "in": "header", "required": False, "schema": {"type": "string"},
                       "description": "`en` for English messages and names; Indonesian otherwise"})
    success: dict = {"description": "Success"}
    if op.answer is not None:
        success["content"] = {"application/json": {"schema": op.answer}}
    responses = {str(op.status): success}
    if op.rule.endswith("/<action>"):
        responses["204"] = {"description": "call-next: nobody to call"}
    error = {"content": {"application/json": {"schema": ref("Error")}}}
    responses.update({status: {"description": why, **error} for status, why in ERROR_STATUSES.items()})
    operation = {"operationId": _operation_id(op), "summary": op.summary, "security": op.security,
                 "parameters": parameters, "responses": responses}
    if op.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body}}}
    return operation


def _operation_id(op: Operation) -> str:
    words = re.sub(r"[^a-z0-9]+", "_", openapi_path(op.rule).removeprefix("/api/").lower()).strip("_")
    return f"{op.method.lower()}_{words}"


@lru_cache(maxsize=1)
def document() -> dict:
    """The OpenAPI 3.1 document (built once: it depends on the code only, not on the office)."""
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(openapi_path(op.rule), {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Antrean", "version": "1.1",
                 "description": "The queue and appointment API of one office. Errors are "
                                "`{\"error\": {\"code\", \"message\"}}`; docs/API.md tells the whole story."},
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "staffToken": {"type": "http", "scheme": "bearer",
                               "description": "A staff token from POST /api/login (12 hours)."},
                "kioskToken": {"type": "http", "scheme": "bearer",
                               "description": "A kiosk's token (antrean kiosk add, POST /api/kiosks)."},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "A signed-in staff or registered kiosk browser session."},
                "csrfToken": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
                              "description": "The session's CSRF token, needed with the cookie on state changes."},
            },
        },
    }


def register(app: Flask) -> None:
    """Serve the document at `GET /api/openapi.json` (public: it names no secret)."""
    app.add_url_rule("/api/openapi.json", "openapi", lambda: jsonify(document()), methods=["GET"])
