"""Client processes for load runs: one spawned process per plan, each with a pipe to the driver.

Socket.IO clients by the hundred need their own processes (one asyncio loop holds a few
hundred sockets before its own CPU becomes what is measured); "spawn" rather than fork, so
a child does not inherit the driver's threads and sockets.
"""
from __future__ import annotations

import multiprocessing


def spawn(target, plans: list[tuple[str, list]], *args) -> list[tuple]:
    """Start `target(role, items, pipe, *args)` per `(role, items)` plan; `(role, process, pipe)` each."""
    context = multiprocessing.get_context("spawn")
    workers = []
    for role, items in plans:
        parent, child = context.Pipe()
        process = context.Process(target=target, args=(role, items, child, *args), daemon=True)
        process.start()
        workers.append((role, process, parent))
    return workers


def receive(parent, role: str, kind: str, timeout_s: float):
    """The next `(kind, info)` message of a client process: its info, or RuntimeError."""
    if not parent.poll(timeout_s):
        raise RuntimeError(f"{role} client process sent no {kind} within {timeout_s:.0f} s")
    got, info = parent.recv()
    if got != kind:
        raise RuntimeError(f"{role} client process failed: {info}")
    return info


def reap(workers: list[tuple], wait_s: float = 30.0) -> None:
    """Wait for each client process to end (terminated after `wait_s`) and close its pipe."""
    for _role, process, parent in workers:
        process.join(wait_s)
        if process.is_alive():
            process.terminate()
            process.join(5)
        parent.close()
