"""Helpers shared by the unit tests, the live-server tests, the browser tests and `bench/`.

They live in one package so that starting `antrean serve`, stopping it (worker included),
reading the demo logins and running the command line are written once: four slightly
different copies had drifted apart (a pipe nobody read, a stop that left the worker behind).

- `tests.helpers.live`: a real server process on loopback, instances, the CLI, the HTTP API;
  it does not import pytest, so the bench can use it outside a test run;
- `tests.helpers.sockets`: Socket.IO clients that record events in wire order (tests only).
"""
