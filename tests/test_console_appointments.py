"""The counter console lists today's appointments of its services by slot: due, checked in, absent."""
from datetime import datetime, timedelta, timezone

from tests.test_pages import login

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)   # 09:00 WIB


def test_console_shows_todays_appointments_by_slot(app, client, demo, kiosk_headers):
    office = app.extensions["antrean.office"]
    office.clock = lambda: NOW
    made = [client.post("/api/bookings", json={"service": "konsultasi", "date": "2026-11-25", "start": start})
            .get_json() for start in ("10:00", "11:00")]
    client.post("/api/bookings", json={"service": "kartu_kuning", "date": "2026-11-25", "start": "10:00"})
    office.clock = lambda: NOW + timedelta(minutes=40)
    ticket = client.post("/api/checkin", json={"code": made[0]["code"]}, headers=kiosk_headers).get_json()
    login(client, demo)
    page = client.get("/counter/6").get_data(as_text=True)   # counter 6 serves konsultasi
    assert "Janji temu hari ini" in page and 'id="appointment-count">2<' in page
    rows = page.split('id="appointments"', 1)[1]
    assert rows.index("10:00–10:30") < rows.index("11:00–11:30")
    assert f"Sudah hadir · {ticket['number']}" in rows and "Terjadwal" in rows
    assert made[1]["code"] in rows
    assert "Janji temu hari ini" not in client.get("/counter/1").get_data(as_text=True)   # not its services
