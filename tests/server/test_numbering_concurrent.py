"""Four kiosks printing at once for one service: numbers A-001..A-200, no gaps, no repeats."""
from __future__ import annotations

import threading

import pytest
import requests

from tests.helpers.live import WAIT, build_office, issue, read_only_db

pytestmark = pytest.mark.server

KIOSKS = 4
PER_KIOSK = 50


def test_four_kiosks_fifty_tickets_each_get_a_gapless_sequence(tmp_path, servers):
    office = build_office(tmp_path / "office", counters=2, kiosks=KIOSKS)
    server = servers(office.instance)
    results: dict[int, list[tuple[int, dict]]] = {kiosk: [] for kiosk in range(KIOSKS)}
    failures: list[str] = []
    barrier = threading.Barrier(KIOSKS, timeout=WAIT)

    def kiosk(index: int) -> None:
        try:
            with requests.Session() as session:
                barrier.wait()
                for _ in range(PER_KIOSK):
                    response = issue(session, server.base_url, office.kiosk_tokens[index], "umum")
                    results[index].append((response.status_code, response.json()))
        except Exception as error:  # reported below
            failures.append(f"kiosk {index}: {error!r}")

    threads = [threading.Thread(target=kiosk, args=(index,), daemon=True) for index in range(KIOSKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=40)
    assert not any(thread.is_alive() for thread in threads), "kiosks still issuing after 40 s"
    assert not failures, failures

    for index, answers in results.items():
        assert [status for status, _ in answers] == [201] * PER_KIOSK, (index, answers[:3])
        sequence = [int(body["number"].split("-")[1]) for _, body in answers]
        # A kiosk's next request starts after its previous answer, so its numbers only rise.
        assert sequence == sorted(sequence) and len(set(sequence)) == PER_KIOSK, (index, sequence)
    numbers = sorted(body["number"] for answers in results.values() for _, body in answers)
    assert numbers == [f"A-{n:03d}" for n in range(1, KIOSKS * PER_KIOSK + 1)]
    assert len({body["id"] for answers in results.values() for _, body in answers}) == KIOSKS * PER_KIOSK
    assert len({body["token"] for answers in results.values() for _, body in answers}) == KIOSKS * PER_KIOSK

    db = read_only_db(office.instance)
    try:
        assert db.execute("SELECT service, last FROM ticket_numbers").fetchall() == [("umum", KIOSKS * PER_KIOSK)]
        per_kiosk = sorted(count for (count,) in db.execute("SELECT COUNT(*) FROM tickets GROUP BY kiosk_id"))
    finally:
        db.close()
    assert per_kiosk == [PER_KIOSK] * KIOSKS
