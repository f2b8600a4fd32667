"""The test suite as a package, so `tests.helpers` is importable from the repo root (also by
`bench/`) and no installed top-level `tests` package can shadow it."""
