"""office.toml on disk: read it with its version, and write an edited office back safely.

The file stays the single source of truth: the admin's office editor writes it, and an
administrator may still edit it by hand. So writing must keep what only a person can put
there, the comments and the layout: an edited office (a dict shaped like the TOML) is merged
into the existing document with `tomlkit`, which keeps comments, key order and formatting of
everything that did not change (a plain TOML writer would rewrite the file and drop every
comment).

Nothing invalid is ever written: the edited office is validated with `parse_config` (the rules
and field-named errors the server applies at start) before anything touches the disk. The
write is atomic (a temp file in the same folder, fsync, rename), the previous version is kept
as a dated copy (the last `KEEP` of them), and a file that changed on disk since the editor
read it is not overwritten (`ConfigChanged`, answered `409 config_changed`).
"""
from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import tomlkit
from tomlkit.container import Container
from tomlkit.items import AoT, Comment, InlineTable, Table, Whitespace

from .domain.config import ConfigError, OfficeConfig, parse_config
from .durable import sync_folder
from .domain.errors import Conflict
from .i18n import N_

HISTORY_FOLDER = "office-history"   # in the instance folder, next to office.toml
KEEP = 10                           # previous versions kept
# Arrays of tables whose items have a natural identity: an edited item keeps its comments
# even when an item before it was removed.
IDENTITY = {"services": "code", "counters": "number"}


class ConfigChanged(Conflict):
    """office.toml changed on disk since the editor read it: saving would lose that change."""

    code = "config_changed"

    def __init__(self):
        super().__init__(N_("office.toml was changed since this form was opened. "
                            "Your changes were not saved: reload the form to see the file as it is now."))


@dataclass(frozen=True)
class OfficeFile:
    """One read of office.toml: its text, its version (a hash of the bytes) and what it says."""

    path: Path
    text: str
    version: str
    raw: dict
    config: OfficeConfig


def version_of(data: bytes) -> str:
    """A short fingerprint of the file's bytes: what the editor hands back to say what it edited."""
    return hashlib.sha256(data).hexdigest()[:16]


def read(path: Path) -> OfficeFile:
    """Read and validate office.toml; ConfigError names the field when it is unusable."""
    data = Path(path).read_bytes()
    text = data.decode("utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"not valid TOML: {error}") from None
    return OfficeFile(Path(path), text, version_of(data), raw, parse_config(raw))


def write(path: Path, raw: dict, expected_version: str, now: datetime) -> OfficeFile:
    """Validate `raw`, then replace office.toml with it, keeping the previous version.

    Raises ConfigError (nothing written) when `raw` is not a valid office, and ConfigChanged
    when the file on disk is no longer the version the edit started from.
    """
    path = Path(path)
    config = parse_config(raw)
    current = path.read_bytes()
    if version_of(current) != expected_version:
        raise ConfigChanged()
    text = render(current.decode("utf-8"), raw)
    data = text.encode("utf-8")
    mode = _file_mode(path)
    _keep_previous(path, current, now, mode)
    _replace(path, data, mode)
    return OfficeFile(path, text, version_of(data), raw, config)


# -- merging the edit into the document ---------------------------------------------------------

def render(current_text: str, raw: dict) -> str:
    """`raw` as TOML text, laid out like `current_text`: its comments and formatting kept."""
    document = tomlkit.parse(current_text)
    _merge_table(document, raw)
    text = tomlkit.dumps(document)
    if current_text.endswith("\n") and not current_text.endswith("\n\n"):
        text = text.rstrip("\n") + "\n"   # a table added at the end brings no blank last line
    if tomllib.loads(text) != raw:   # a merge that lost or changed a value must never reach the disk
        raise ConfigError("office.toml could not be rewritten faithfully; nothing was saved")
    return text


def _merge_table(table, new: dict) -> None:
    """Make the table (document, table or inline table) hold `new`, changing only what differs."""
    for key in [key for key in table if key not in new]:
        del table[key]
    for key, value in new.items():
        if key not in table:
            _add(table, key, value)
            continue
        old = table[key]
        if isinstance(value, dict) and isinstance(old, (Table, InlineTable)):
            _merge_table(old, value)
        elif _is_table_list(value) and isinstance(old, AoT):
            _merge_aot(old, value, IDENTITY.get(key))
        else:
            plain = old.unwrap() if hasattr(old, "unwrap") else old
            if plain != value or type(plain) is not type(value):
                table[key] = _item(value, old, top=isinstance(table, tomlkit.TOMLDocument))


def _add(table, key: str, value) -> None:
    """Add a key; in a [table] it goes after the table's last value, before the comments that
    introduce the next table (which tomlkit keeps at the end of this one)."""
    item = _item(value, top=isinstance(table, tomlkit.TOMLDocument))
    container = table.value if isinstance(table, Table) else table
    if not isinstance(container, Container) or isinstance(item, (Table, AoT)):
        table[key] = item
        return
    body = container.body
    position = len(body)
    while position and body[position - 1][0] is None and isinstance(body[position - 1][1], (Comment, Whitespace)):
        position -= 1
    if position == len(body) or position == 0:
        table[key] = item
    else:
        # tomlkit has no public "insert before"; _insert_at keeps its key index consistent.
        container._insert_at(position, key, item)


def _merge_aot(aot: AoT, new: list[dict], identity: str | None) -> None:
    """Edit an array of tables in place: items matched by identity (or position) keep their
    comments; removed ones go, new ones are added at the end."""
    old_keys = [_identity(item, identity, index) for index, item in enumerate(aot)]
    new_keys = [_identity(item, identity, index) for index, item in enumerate(new)]
    kept = [key for key in old_keys if key in new_keys]
    if kept != [key for key in new_keys if key in old_keys] or len(set(new_keys)) != len(new_keys):
        _replace_aot(aot, new)   # reordered or ambiguous: rebuild rather than guess
        return
    for index in reversed(range(len(old_keys))):
        if old_keys[index] not in new_keys:
            _remove_aot_item(aot, index)
    by_key = {key: aot[position] for position, key in enumerate(kept)}
    for key, value in zip(new_keys, new):
        if key in by_key:
            _merge_table(by_key[key], value)
        else:
            _append_aot_item(aot, value)


def _identity(item: dict, identity: str | None, index: int):
    return item.get(identity, ("#", index)) if identity else ("#", index)


def _remove_aot_item(aot: AoT, index: int) -> None:
    """Remove one table; a last table hands its trailing comments (which introduce whatever
    follows the array) to the table before it, so they are not lost with it."""
    if index == len(aot) - 1 and index > 0:
        trailer = _trailing_comments(aot[index])
        previous = aot[index - 1].value
        while trailer and isinstance(trailer[0], Whitespace) and previous.body \
                and isinstance(previous.body[-1][1], Whitespace):
            trailer.pop(0)   # one blank line between tables, as before
        for item in trailer:
            previous.add(item)
    del aot[index]


def _trailing_comments(table: Table) -> list:
    body = table.value.body
    position = len(body)
    while position and body[position - 1][0] is None and isinstance(body[position - 1][1], (Comment, Whitespace)):
        position -= 1
    return [item for _key, item in body[position:]]


def _append_aot_item(aot: AoT, value: dict) -> None:
    """Add a table at the end, separated from the one before by a blank line like the rest."""
    if len(aot):
        last = aot[-1].value
        if not last.body or not isinstance(last.body[-1][1], Whitespace):
            last.add(tomlkit.nl())
    table = tomlkit.table()
    for key, item in value.items():
        table[key] = _item(item)
    table.add(tomlkit.nl())
    aot.append(table)


def _replace_aot(aot: AoT, new: list[dict]) -> None:
    while len(aot):
        del aot[0]
    for value in new:
        _append_aot_item(aot, value)


def _item(value, old=None, top: bool = False):
    """A tomlkit item for `value`, written like the value it replaces: a table stays a [table]
    and an inline table inline. A new table is a [table] at the top of the file and inline
    below it (`lane_quotas = { senior = 5 }`); a list of plain values stays on one line."""
    if isinstance(value, dict):
        if isinstance(old, Table) or (old is None and top):
            table = tomlkit.table()
            for key, item in value.items():
                table[key] = _item(item)
            return table
        inline = tomlkit.inline_table()
        for key, item in value.items():
            inline[key] = _item(item)
        return inline
    if _is_table_list(value) and (isinstance(old, AoT) or (old is None and top)):
        array = tomlkit.aot()
        for item in value:
            _append_aot_item(array, item)
        return array
    if isinstance(value, list):
        array = tomlkit.array()
        array.extend(_item(item) for item in value)
        return array
    return tomlkit.item(value)


def _is_table_list(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


# -- the disk -----------------------------------------------------------------------------------

def _file_mode(path: Path) -> int:
    """Keep the file's own permissions; a new file is private when its folder is."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        folder = stat.S_IMODE(path.parent.stat().st_mode)
        return 0o600 if not folder & 0o077 else 0o644


def _replace(path: Path, data: bytes, mode: int) -> None:
    """Write `data` to `path` atomically: a reader sees the old file or the new one, whole."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def _keep_previous(path: Path, data: bytes, now: datetime, mode: int) -> Path:
    """Save the version being replaced as `office-history/office-<UTC time>.toml`; keep `KEEP`."""
    folder = path.parent / HISTORY_FOLDER
    folder.mkdir(mode=0o700 if mode & 0o077 == 0 else 0o755, exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%S")
    target = folder / f"{path.stem}-{stamp}{path.suffix}"
    counter = 1
    while target.exists():
        counter += 1
        target = folder / f"{path.stem}-{stamp}-{counter}{path.suffix}"
    _replace(target, data, mode)
    copies = sorted(folder.glob(f"{path.stem}-*{path.suffix}"), key=lambda copy: copy.stat().st_mtime_ns)
    for old in copies[:-KEEP]:
        old.unlink(missing_ok=True)
    return target


def history(path: Path) -> list[Path]:
    """The kept previous versions of office.toml, newest first."""
    folder = Path(path).parent / HISTORY_FOLDER
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{Path(path).stem}-*{Path(path).suffix}"),
                  key=lambda copy: copy.stat().st_mtime_ns, reverse=True)
