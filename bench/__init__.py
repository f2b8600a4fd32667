"""Benchmarks of `antrean serve` on loopback, for both async modes (see docs/PERFORMANCE.md).

Run everything with `python -m bench.run --mode gevent|threading|both [--quick]`; each
scenario is also runnable alone:

- `python -m bench.realtime`  (a) call → screen latency with 50 displays + 950 phones, and
                              (e) the worker's RSS after that run;
- `python -m bench.issue`     (b) ticket issue by 4 concurrent kiosks;
- `python -m bench.call_next` (c) call-next by 4 officers on 4 counters at once (the worker
                              and the client on cores of their own; `--shared-cores` not);
- `python -m bench.console`   (d) officer console page load after a form sign-in.

Every scenario starts its own server (`python -m shared.cli … serve`) on a fresh demo
instance in a temporary folder, talks to it on 127.0.0.1 only, bounds every loop in count
and time, and stops the server when done. The figures are design targets to report
against, not assertions: nothing here fails because a target is missed.
"""
