"""The only place that runs SQL: one module per concept, hanging off a `Connection`.

`db.tickets`, `db.counters`, `db.accounts`, `db.settings`, `db.idempotency`,
`db.screening` and `db.events` each own one table (or two that belong together) and
return dataclasses or plain data, never cursors. `Store.write()` is the one way to write.
"""
from .database import Connection, Store, storage_error

__all__ = ["Connection", "Store", "storage_error"]
