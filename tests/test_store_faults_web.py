"""A database that cannot take writes: a clear 503 on the API, a friendly Indonesian page on screens."""
import pytest

from shared.store import Store
from tests.test_kiosk_api import take
from tests.test_pages import csrf_of, register_kiosk


@pytest.fixture
def read_only(app, monkeypatch):
    """From now on every connection of the app's store refuses writes, as a read-only file would."""
    store = app.extensions["antrean.office"].store
    connect = Store.connect

    def read_only_connect(self, **options):
        connection = connect(self, **options)
        connection.raw.execute("PRAGMA query_only = ON")
        return connection

    store.close_idle()   # no connection opened before the fault is handed to a request
    monkeypatch.setattr(store, "connect", read_only_connect.__get__(store))
    return store


def test_api_write_is_503_read_only_and_reads_go_on(client, kiosk_headers, read_only):
    response = take(client, kiosk_headers)
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "read_only"
    assert "Retry-After" not in response.headers
    english = client.post("/api/tickets", json={"service": "konsultasi"},
                          headers={**kiosk_headers, "Accept-Language": "en"})
    assert "read-only" in english.get_json()["error"]["message"]
    assert client.get("/api/queue").status_code == 200
    assert client.get("/api/services").status_code == 200


def test_kiosk_page_shows_a_friendly_indonesian_message(client, demo, read_only):
    register_kiosk(client, demo)
    page = client.get("/kiosk/services/konsultasi").get_data(as_text=True)
    key = page.split('name="request_key" value="', 1)[1].split('"', 1)[0]
    csrf = csrf_of(page)
    response = client.post("/kiosk/tickets", data={"service": "konsultasi", "lane": "general",
                                                   "request_key": key, "csrf_token": csrf})
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "<html" in text and "Mohon beri tahu petugas" in text


def test_a_server_started_on_a_database_it_cannot_write_says_so_loudly(instance_dir, monkeypatch, capsys):
    from shared.web import create_app

    connect = Store.connect

    def read_only_connect(self, **options):
        connection = connect(self, **options)
        connection.raw.execute("PRAGMA query_only = ON")
        return connection

    monkeypatch.setattr(Store, "connect", read_only_connect)
    app = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading"}, instance_path=instance_dir)
    banner = capsys.readouterr().err
    assert "THE DATABASE CANNOT BE WRITTEN" in banner and "read_only" in banner
    # ... and it still serves what only reads.
    assert app.test_client().get("/api/queue").status_code == 200
