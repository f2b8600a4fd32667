"""Spoken calls rendered on the server, for displays whose browser has no Indonesian voice.

Most display devices (Linux mini-PCs, Android TV boxes) have no Indonesian voice in the
browser, and the peers that speak Indonesian all call a cloud voice. An office server has no
internet to count on, so the sentence is rendered here with espeak-ng (Debian's `espeak-ng`
package, which has an Indonesian voice), to a WAV file the display plays.

- The sentence goes to espeak-ng on its standard input, and the program is started with an
  argument list, never through a shell: no text can become a command or an option.
- Each (language, sentence) is rendered once and kept in a folder of the instance; every display
  of the office asks for the same file at the same moment, and a recall asks for it again. The
  folder is bounded (files and bytes): the least recently used files go first.
- One sentence is rendered at a time per key; a display asking while it renders waits for it.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

# Bump when the voice settings change, so cached files of the old voice are not served.
VOICE_VERSION = "1"
# espeak-ng voice per language code; a language not listed uses its code as the voice name.
VOICES = {"id": "id", "en": "en"}
# Words per minute: a little slower than espeak-ng's 175, as a call is heard across a hall.
RATE_WPM = 145
# Extra pause between words, in units of 10 ms: the digits of a ticket number are heard apart.
WORD_GAP = 2
RENDER_TIMEOUT_S = 10
MAX_FILES = 400
MAX_BYTES = 96 * 1024 * 1024   # about 400 five-second sentences at espeak-ng's 22 kHz mono


class SpeechUnavailable(RuntimeError):
    """espeak-ng is missing or failed; the display falls back to its chime and caption."""


@dataclass
class Speech:
    """Renders sentences to WAV files in `folder`, kept per sentence and bounded in size."""

    folder: Path
    program: str = "espeak-ng"
    max_files: int = MAX_FILES
    max_bytes: int = MAX_BYTES

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def available(self) -> bool:
        """Whether the renderer program can be found."""
        return shutil.which(self.program) is not None

    def key(self, sentence: str, language: str) -> str:
        """The cache key of a sentence in a language (also the file's name)."""
        text = "\x1f".join((VOICE_VERSION, self.program, language, sentence))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]

    def wav(self, sentence: str, language: str) -> Path:
        """The WAV file of `sentence` spoken in `language`: from the cache, or rendered now."""
        key = self.key(sentence, language)
        path = self.folder / f"{key}.wav"
        with self._lock_of(key):
            try:
                os.utime(path)   # a hit: the file is recently used again
                return path
            except FileNotFoundError:
                pass
            self._render(sentence, language, path)
        self._prune()
        return path

    def _lock_of(self, key: str) -> threading.Lock:
        with self._guard:
            if len(self._locks) > 64:   # keep the table small: only keys being rendered matter
                self._locks = {k: lock for k, lock in self._locks.items() if lock.locked()}
            return self._locks.setdefault(key, threading.Lock())

    def _render(self, sentence: str, language: str, path: Path) -> None:
        executable = shutil.which(self.program)
        if executable is None:
            raise SpeechUnavailable(f"{self.program} is not installed")
        self.folder.mkdir(parents=True, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(dir=self.folder, prefix=".render-", suffix=".wav")
        os.close(descriptor)
        command = [executable, "-v", VOICES.get(language, language), "-s", str(RATE_WPM), "-g", str(WORD_GAP),
                   "-w", partial, "--stdin"]
        try:
            result = subprocess.run(command, input=sentence.encode("utf-8"), capture_output=True,
                                    timeout=RENDER_TIMEOUT_S, check=False)
            if result.returncode != 0 or os.path.getsize(partial) <= 44:   # 44: a WAV header alone
                raise SpeechUnavailable(f"{self.program} failed ({result.returncode}): "
                                        f"{result.stderr.decode('utf-8', 'replace')[-300:]}")
            os.replace(partial, path)
        except subprocess.TimeoutExpired:
            raise SpeechUnavailable(f"{self.program} took more than {RENDER_TIMEOUT_S} s") from None
        finally:
            if os.path.exists(partial):
                os.unlink(partial)

    def _prune(self) -> None:
        """Drop the least recently used files while the folder holds too many or too much."""
        entries = []
        for entry in os.scandir(self.folder):
            if entry.name.endswith(".wav") and not entry.name.startswith("."):
                try:
                    stat = entry.stat()
                except FileNotFoundError:
                    continue
                entries.append((stat.st_mtime, stat.st_size, entry.path))
        count, total = len(entries), sum(size for _mtime, size, _path in entries)
        if count <= self.max_files and total <= self.max_bytes:
            return
        for _mtime, size, path in sorted(entries):
            if count <= self.max_files * 0.9 and total <= self.max_bytes * 0.9:
                break
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            count, total = count - 1, total - size
