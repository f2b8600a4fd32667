"""The admin's users and kiosks: the JSON API (contract v1.1 and its extensions), the pages,
the one-time kiosk link, the command line's password rules and the instance's permissions."""
from __future__ import annotations

import re
import stat

import pytest
from click.testing import CliRunner

from shared.cli import main
from shared.instance import ensure_instance
from tests.test_pages import csrf_of, login

STRONG = "meja-biru-kopi-pagi"


@pytest.fixture
def admin(staff_headers):
    return staff_headers("admin")


def test_add_user_then_they_sign_in(client, admin):
    created = client.post("/api/users", headers=admin, json={"username": "budi", "role": "officer", "password": STRONG})
    assert created.status_code == 201 and created.get_json() == {"username": "budi", "role": "officer"}
    assert client.post("/api/login", json={"username": "budi", "password": STRONG}).get_json()["role"] == "officer"
    listed = client.get("/api/users", headers=admin).get_json()
    assert {"username": "budi", "role": "officer", "active": True} == {
        key: value for key, value in next(u for u in listed if u["username"] == "budi").items() if key != "created_at"}


@pytest.mark.parametrize("body, status, code", [
    ({"username": "petugas", "role": "officer", "password": STRONG}, 409, "user_exists"),
    ({"username": "PETUGAS", "role": "officer", "password": STRONG}, 409, "user_exists"),
    ({"username": "budi", "role": "officer", "password": "password"}, 422, "weak_password"),
    ({"username": "budi", "role": "admin", "password": "budi12345678"}, 422, "weak_password"),
    ({"username": "budi", "role": "boss", "password": STRONG}, 400, "invalid_request"),
    ({"username": "b", "role": "officer", "password": STRONG}, 400, "invalid_request"),
    ({"username": "budi", "role": "officer"}, 400, "invalid_request"),
])
def test_add_user_refusals(client, admin, body, status, code):
    answer = client.post("/api/users", headers=admin, json=body)
    assert answer.status_code == status and answer.get_json()["error"]["code"] == code
    assert answer.get_json()["error"]["message"]


def test_a_removed_name_can_be_given_again_without_the_old_password(client, admin, demo):
    assert client.delete("/api/users/petugas", headers=admin).status_code == 204
    assert client.delete("/api/users/petugas", headers=admin).status_code == 404
    assert "petugas" not in [user["username"] for user in client.get("/api/users", headers=admin).get_json()]
    again = client.post("/api/users", headers=admin, json={"username": "petugas", "role": "officer", "password": STRONG})
    assert again.status_code == 201
    assert client.post("/api/login", json={"username": "petugas", "password": demo.passwords["petugas"]}).status_code == 401


def test_disable_and_enable(client, admin):
    assert client.put("/api/users/petugas", headers=admin, json={"active": False}).get_json()["active"] is False
    assert client.post("/api/login", json={"username": "petugas", "password": "x"}).status_code == 401
    assert client.put("/api/users/petugas", headers=admin, json={"active": True}).get_json()["active"] is True


def test_an_admin_cannot_disable_demote_or_remove_themselves(client, admin):
    for answer in (client.put("/api/users/admin", headers=admin, json={"active": False}),
                   client.put("/api/users/admin", headers=admin, json={"role": "officer"}),
                   client.delete("/api/users/admin", headers=admin)):
        assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "own_account"


def test_kiosk_api_register_rename_retire(client, admin):
    created = client.post("/api/kiosks", headers=admin, json={"name": "Kiosk Lobi"})
    assert created.status_code == 201
    kiosk = created.get_json()
    assert set(kiosk) == {"id", "name", "token"} and kiosk["name"] == "Kiosk Lobi"
    bearer = {"Authorization": f"Bearer {kiosk['token']}"}
    assert client.post("/api/tickets", headers=bearer, json={"service": "konsultasi", "lane": "general"}).status_code == 201
    renamed = client.put(f"/api/kiosks/{kiosk['id']}", headers=admin, json={"name": "Kiosk Pintu"})
    assert renamed.get_json() == {"id": kiosk["id"], "name": "Kiosk Pintu"}
    assert client.delete(f"/api/kiosks/{kiosk['id']}", headers=admin).status_code == 204
    refused = client.post("/api/tickets", headers=bearer, json={"service": "konsultasi", "lane": "general"})
    assert refused.status_code == 401
    assert client.delete(f"/api/kiosks/{kiosk['id']}", headers=admin).get_json()["error"]["code"] == "unknown_kiosk"
    assert kiosk["id"] not in [item["id"] for item in client.get("/api/kiosks", headers=admin).get_json()]


def _register_with(client, url: str):
    token = url.split("#register=", 1)[1]
    page = client.get("/kiosk/register").get_data(as_text=True)
    return client.post("/kiosk/register", data={"token": token, "csrf_token": csrf_of(page)})


def test_a_one_time_link_registers_one_kiosk_browser_only(app, admin):
    client = app.test_client()
    kiosk = client.post("/api/kiosks", headers=admin, json={"name": "Kiosk Tablet"}).get_json()
    link = client.post(f"/api/kiosks/{kiosk['id']}/link", headers=admin)
    assert link.status_code == 201
    url = link.get_json()["url"]
    assert re.fullmatch(r"http://[^/]+/kiosk/app#register=[\w-]+", url), url
    first, second = app.test_client(), app.test_client()
    assert _register_with(first, url).status_code == 302
    assert first.get("/kiosk/").status_code == 200
    assert _register_with(second, url).status_code == 401  # used up
    # Retiring the kiosk stops the registered browser at once.
    client.delete(f"/api/kiosks/{kiosk['id']}", headers=admin)
    assert first.get("/kiosk/").headers["Location"].endswith("/kiosk/register")


def test_a_new_link_replaces_the_unused_one(app, admin):
    client = app.test_client()
    kiosk = client.post("/api/kiosks", headers=admin, json={"name": "Kiosk Dua"}).get_json()
    old = client.post(f"/api/kiosks/{kiosk['id']}/link", headers=admin).get_json()["url"]
    new = client.post(f"/api/kiosks/{kiosk['id']}/link", headers=admin).get_json()["url"]
    assert _register_with(app.test_client(), old).status_code == 401
    assert _register_with(app.test_client(), new).status_code == 302


# -- the pages -------------------------------------------------------------------------------

def admin_browser(app, demo):
    client = app.test_client()
    login(client, demo, "admin")
    return client


def post_form(client, page_url: str, action: str, **fields):
    token = csrf_of(client.get(page_url).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **fields}, follow_redirects=True)


def test_the_users_page_adds_changes_and_removes_in_indonesian(app, demo):
    client = admin_browser(app, demo)
    page = client.get("/admin/users").get_data(as_text=True)
    assert '<html lang="id">' in page and "Akun staf" in page and "petugas" in page
    added = post_form(client, "/admin/users", "/admin/users", username="rina", role="supervisor", password=STRONG)
    assert "rina" in added.get_data(as_text=True) and 'id="user-rina"' in added.get_data(as_text=True)
    weak = post_form(client, "/admin/users", "/admin/users", username="rudi", role="officer", password="password123")
    assert "terlalu umum" in weak.get_data(as_text=True) and 'id="user-rudi"' not in weak.get_data(as_text=True)
    role = post_form(client, "/admin/users", "/admin/users/rina/role", role="officer")
    assert "rina" in role.get_data(as_text=True)
    assert app.test_client().post("/api/login", json={"username": "rina", "password": STRONG}).get_json()["role"] == "officer"
    post_form(client, "/admin/users", "/admin/users/rina/password", password="jendela-hijau-sore-hari")
    assert app.test_client().post("/api/login", json={"username": "rina", "password": STRONG}).status_code == 401
    post_form(client, "/admin/users", "/admin/users/rina/active", active="0")
    assert app.test_client().post("/api/login", json={"username": "rina",
                                                      "password": "jendela-hijau-sore-hari"}).status_code == 401
    removed = post_form(client, "/admin/users", "/admin/users/rina/remove")
    assert 'id="user-rina"' not in removed.get_data(as_text=True)


def test_the_kiosks_page_shows_a_one_time_link_with_its_qr_code(app, demo):
    client = admin_browser(app, demo)
    token = csrf_of(client.get("/admin/kiosks").get_data(as_text=True))
    answer = client.post("/admin/kiosks", data={"csrf_token": token, "name": "Kiosk Lantai 2"})
    assert answer.status_code == 201 and answer.headers["Cache-Control"] == "no-store"
    page = answer.get_data(as_text=True)
    url = re.search(r'value="(http://[^"]+#register=[^"]+)"', page).group(1)
    assert "<svg" in page and "Kiosk Lantai 2" in page
    kiosk = app.test_client()
    assert _register_with(kiosk, url).status_code == 302
    assert "Kiosk Lantai 2" in client.get("/admin/kiosks").get_data(as_text=True)


def test_an_officer_changes_their_own_password_in_the_browser(app, demo):
    client = app.test_client()
    login(client, demo, "petugas")
    page = client.get("/account/password").get_data(as_text=True)
    assert "Ubah kata sandi" in page and "admin-nav" not in page  # no admin sections for an officer
    answer = client.post("/account/password", data={"csrf_token": csrf_of(page), "current": demo.passwords["petugas"],
                                                     "new": STRONG, "repeat": STRONG})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/counter/login")
    assert client.get("/counter/").status_code == 302
    assert app.test_client().post("/api/login", json={"username": "petugas", "password": STRONG}).status_code == 200


# -- the command line and the instance folder -----------------------------------------------------

def run(instance, *args):
    return CliRunner().invoke(main, ["--instance", str(instance), *args])


def test_the_cli_refuses_weak_passwords_too(instance_dir):
    result = run(instance_dir, "user", "add", "siti", "--role", "admin", "--password", "password1234")
    assert result.exit_code != 0 and "common" in result.output


def test_antrean_makes_a_private_folder_and_database(tmp_path):
    paths, created = ensure_instance(tmp_path / "kantor")
    assert created
    assert stat.S_IMODE(paths.root.stat().st_mode) == 0o700
    for path in (paths.database, paths.secret, paths.demo_note):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def _open_office_at(root: str, start: float) -> tuple[str, str] | str:
    import time

    from shared.instance import secret_key

    while time.time() < start:
        pass
    try:
        paths, _created = ensure_instance(root)
        return secret_key(paths), oct(stat.S_IMODE(paths.database.stat().st_mode))
    except Exception as error:  # reported to the test, which shows it
        return repr(error)


def test_commands_opening_a_new_custom_office_at_once_agree_on_its_files(tmp_path):
    """`antrean kiosk add` and `user add` run side by side on an office whose office.toml was
    just written: each must find or make the database and the secret, never fail on the other's,
    and all must read the same whole secret."""
    import multiprocessing
    import shutil
    import time

    from shared.instance import DEMO_TEMPLATE

    with multiprocessing.get_context("fork").Pool(6) as pool:
        for attempt in range(15):
            root = tmp_path / f"office-{attempt}"
            root.mkdir()
            shutil.copyfile(DEMO_TEMPLATE, root / "office.toml")
            start = time.time() + 0.05
            outcomes = pool.starmap(_open_office_at, [(str(root), start)] * 6)
            assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
            secrets_read = {secret for secret, _mode in outcomes}
            assert len(secrets_read) == 1 and len(secrets_read.pop()) == 64
            assert {mode for _secret, mode in outcomes} == {"0o600"}
            assert sorted(path.name for path in root.iterdir()) == ["antrean.sqlite3", "office.toml", "secret_key"]


def test_the_demo_secrets_are_printed_once_then_only_where_they_are(tmp_path, monkeypatch):
    """`serve` prints the demo logins when it makes the demo office; later starts name the file."""
    from shared import cli

    class NoServer:
        def __init__(self, *args, **kwargs):
            pass

        def run(self):
            pass

    monkeypatch.setattr("shared.server.OfficeServer", NoServer)
    instance = tmp_path / "demo"
    first = CliRunner().invoke(cli.main, ["--instance", str(instance), "--demo", "serve"])
    note = (instance / "demo-credentials.txt").read_text()
    password = re.search(r"user petugas\s+password (\S+)", note).group(1)
    token = note.rsplit("Demo kiosk token: ", 1)[1].strip()
    assert password in first.output and token in first.output
    later = CliRunner().invoke(cli.main, ["--instance", str(instance), "serve"])
    assert later.exit_code == 0, later.output
    assert password not in later.output and token not in later.output
    assert "demo-credentials.txt" in later.output
