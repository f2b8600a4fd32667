"""Files that must survive a power cut: their bytes on the disk, and the rename that put them there.

An atomic write (a temporary file, then a rename) is only durable once the file's data and the
folder entry the rename changed have both reached the disk; office.toml from the editor and a
backup or a restored database are written this way.
"""
from __future__ import annotations

import os
from pathlib import Path


def sync_file(path: Path) -> None:
    """Wait until the file's data is on the disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (a power cut after it must not bring the old name back)."""
    try:
        sync_file(folder)
    except OSError:
        pass   # some file systems cannot fsync a folder; the rename is still atomic
