"""`GET /api/openapi.json` stays true: every JSON route of the app is in it, nothing else is, the
document is valid OpenAPI 3.1, and real answers match the schemas it gives."""
from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from werkzeug.routing import Rule

from counter.actions import ACTIONS
from shared.web import create_app, openapi

IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture(scope="module")
def office(tmp_path_factory, demo_template):
    import shutil

    from tests.helpers.live import read_demo_logins

    path = tmp_path_factory.mktemp("openapi") / "instance"
    shutil.copytree(demo_template, path)
    app = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading"}, instance_path=path)
    return app, read_demo_logins(path)


@pytest.fixture(scope="module")
def document(office):
    app, _logins = office
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def api_routes(rules) -> set[tuple[str, str]]:
    return {(rule.rule, method) for rule in rules if rule.rule.startswith("/api/")
            for method in rule.methods - IGNORED_METHODS}


def undocumented_json_routes(rules, document: dict) -> set[tuple[str, str]]:
    json_routes = {(openapi.openapi_path(rule), method) for rule, method in api_routes(rules)
                   if (rule, method) not in openapi.NOT_JSON}
    return json_routes - documented(document)


def documented(document: dict) -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, item in document["paths"].items() for method in item}


def test_every_json_route_of_the_app_is_in_the_document(office, document):
    app, _logins = office
    assert sorted(undocumented_json_routes(app.url_map.iter_rules(), document)) == []


def test_the_document_names_nothing_the_app_does_not_serve(office, document):
    app, _logins = office
    served = {(openapi.openapi_path(rule), method) for rule, method in api_routes(app.url_map.iter_rules())}
    assert sorted(documented(document) - served) == []


def test_the_routes_left_out_exist_and_are_not_json(office):
    app, _logins = office
    assert set(openapi.NOT_JSON) <= api_routes(app.url_map.iter_rules())
    assert all(any(kind in why for kind in ("pdf", "csv", "svg", "calendar")) for why in openapi.NOT_JSON.values())


def test_a_route_added_without_an_entry_is_caught(office, document):
    app, _logins = office
    planted = Rule("/api/planted/<int:number>", endpoint="planted", methods=["GET"])
    rules = [*app.url_map.iter_rules(), planted]
    assert undocumented_json_routes(rules, document) == {("/api/planted/{number}", "GET")}


def test_the_counter_actions_listed_are_the_ones_the_route_runs():
    assert set(openapi.COUNTER_ACTIONS) == set(ACTIONS)


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)  # raises on the first problem
    assert document["openapi"].startswith("3.1")
    schemes = document["components"]["securitySchemes"]
    assert {"staffToken", "kioskToken", "session", "csrfToken"} <= set(schemes)


def test_every_operation_answers_the_error_shape_and_says_who_may_call_it(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert "security" in operation, (method, path)
            for status in ("400", "401", "404", "422"):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
            if method in ("post", "put") and "requestBody" in operation:
                assert operation["requestBody"]["content"]["application/json"]["schema"]["type"] == "object"


def answer_schema(document: dict, path: str, method: str, status: int) -> dict:
    response = document["paths"][path][method]["responses"][str(status)]
    return {**response["content"]["application/json"]["schema"], "components": document["components"]}


def check(document: dict, path: str, method: str, response) -> None:
    """The answer's body against the document's schema for its status."""
    schema = answer_schema(document, path, method, response.status_code)
    errors = sorted(Draft202012Validator(schema).iter_errors(response.get_json()), key=str)
    assert errors == [], (method, path, response.status_code, [error.message for error in errors])


def test_real_answers_match_their_schemas(office, document):
    app, logins = office
    client = app.test_client()
    kiosk = {"Authorization": f"Bearer {logins.kiosk_token}"}
    login = client.post("/api/login", json={"username": "supervisor", "password": logins.passwords["supervisor"]})
    check(document, "/api/login", "post", login)
    staff = {"Authorization": f"Bearer {login.get_json()['token']}"}
    for path in ("/api/services", "/api/counters", "/api/queue", "/api/capacity"):
        check(document, path, "get", client.get(path))
    issued = client.post("/api/tickets", json={"service": "konsultasi"}, headers=kiosk)
    assert issued.status_code == 201
    check(document, "/api/tickets", "post", issued)
    token = issued.get_json()["token"]
    check(document, "/api/tickets/{token}", "get", client.get(f"/api/tickets/{token}"))
    check(document, "/api/counters/{number}/waiting", "get", client.get("/api/counters/6/waiting", headers=staff))
    check(document, "/api/users", "get", client.get("/api/users", headers=staff | {}))
    check(document, "/api/audit", "get", client.get("/api/audit", headers=staff))
    check(document, "/api/tickets/{token}/cancel", "post", client.post(f"/api/tickets/{token}/cancel"))


def test_error_answers_match_the_error_schema(office, document):
    app, logins = office
    client = app.test_client()
    kiosk = {"Authorization": f"Bearer {logins.kiosk_token}"}
    check(document, "/api/tickets/{token}", "get", client.get("/api/tickets/forged"))
    check(document, "/api/tickets", "post", client.post("/api/tickets", data="nope", headers=kiosk))
    check(document, "/api/tickets", "post", client.post("/api/tickets", json={"service": "konsultasi"}))
    check(document, "/api/capacity", "put", client.put("/api/capacity", json={"max_inside": 3}, headers=kiosk))
