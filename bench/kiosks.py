"""Issuing tickets through the JSON API the way kiosks do (one HTTP session per kiosk)."""
from __future__ import annotations

import itertools
import threading
import time

import requests

# The demo office's services, in office.toml order, and the counters that serve them.
SERVICES = ("perizinan_berusaha", "izin_kesehatan", "non_perizinan", "kartu_kuning", "konsultasi",
            "pengambilan_dokumen")
REQUEST_TIMEOUT_S = 10.0


def kiosk_session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def issue_many(base_url: str, kiosk_tokens: list[str], plan: list[tuple[str, str]], *,
               deadline_s: float = 120.0) -> list[dict]:
    """Issue one ticket per (service, lane) in `plan`, spread over the kiosks; the 201 bodies, in plan order.

    Raises if any request fails or the whole batch takes longer than `deadline_s`.
    """
    results: list[dict | None] = [None] * len(plan)
    work = iter(enumerate(plan))
    lock = threading.Lock()
    errors: list[str] = []
    stop_at = time.monotonic() + deadline_s

    def kiosk(token: str) -> None:
        session = kiosk_session(token)
        try:
            while time.monotonic() < stop_at and not errors:
                with lock:
                    item = next(work, None)
                if item is None:
                    return
                index, (service, lane) = item
                response = session.post(f"{base_url}/api/tickets", json={"service": service, "lane": lane},
                                        timeout=REQUEST_TIMEOUT_S)
                if response.status_code != 201:
                    errors.append(f"{response.status_code} {response.text[:200]}")
                    return
                results[index] = response.json()
        except requests.RequestException as error:
            errors.append(repr(error))
        finally:
            session.close()

    threads = [threading.Thread(target=kiosk, args=(token,), daemon=True) for token in kiosk_tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, stop_at - time.monotonic()) + REQUEST_TIMEOUT_S)
    if errors:
        raise RuntimeError(f"issuing tickets failed: {errors[0]}")
    missing = sum(1 for item in results if item is None)
    if missing:
        raise RuntimeError(f"issuing tickets: {missing} of {len(plan)} not issued within {deadline_s:.0f} s")
    return results  # type: ignore[return-value]


def round_robin(services: tuple[str, ...], count: int, lane: str = "general") -> list[tuple[str, str]]:
    """`count` tickets cycling over `services`."""
    return [(service, lane) for service in itertools.islice(itertools.cycle(services), count)]
