"""Server-side speech: espeak-ng renders each sentence once, into a bounded cache, and no text
can reach a shell or become an option."""
from __future__ import annotations

import os
import stat
import sys
import textwrap
import time
import wave
from pathlib import Path

import pytest

from shared.views.announce import announcement
from shared.web.speech import Speech, SpeechUnavailable

# A stand-in for espeak-ng: logs its arguments and the text it was given, writes a small WAV.
FAKE_RENDERER = textwrap.dedent("""\
    #!{python}
    import json, sys, wave
    text = sys.stdin.buffer.read().decode("utf-8")
    with open({log!r}, "a", encoding="utf-8") as log:
        log.write(json.dumps({{"argv": sys.argv[1:], "text": text}}) + "\\n")
    if "fail" in text:
        sys.stderr.write("voice broke\\n")
        sys.exit(3)
    with wave.open(sys.argv[sys.argv.index("-w") + 1], "wb") as out:
        out.setnchannels(1); out.setsampwidth(2); out.setframerate(8000)
        out.writeframes(b"\\x01\\x02" * 800)
""")


@pytest.fixture
def fake(tmp_path) -> tuple[Path, Path]:
    """(the fake renderer program, its log of calls)."""
    log = tmp_path / "calls.jsonl"
    program = tmp_path / "fake-espeak"
    program.write_text(FAKE_RENDERER.format(python=sys.executable, log=str(log)), encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program, log


def calls(log: Path) -> list[dict]:
    import json

    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def test_a_sentence_is_rendered_once_then_served_from_the_cache(tmp_path, fake):
    program, log = fake
    speech = Speech(tmp_path / "speech", program=str(program))
    first = speech.wav("Nomor antrean A nol nol satu, silakan menuju loket tiga", "id")
    again = speech.wav("Nomor antrean A nol nol satu, silakan menuju loket tiga", "id")
    other_language = speech.wav("Nomor antrean A nol nol satu, silakan menuju loket tiga", "en")
    assert first == again != other_language
    assert first.parent == tmp_path / "speech" and first.suffix == ".wav"
    assert len(calls(log)) == 2, "the cached sentence was rendered again"
    with wave.open(str(first)) as audio:
        assert audio.getnframes() == 800


def test_the_text_goes_on_stdin_never_through_a_shell_or_as_an_option(tmp_path, fake):
    program, log = fake
    speech = Speech(tmp_path / "speech", program=str(program))
    hostile = "--stdout; rm -rf / $(reboot) `id` | cat > x"
    speech.wav(hostile, "id")
    [call] = calls(log)
    assert call["text"] == hostile
    assert hostile not in " ".join(call["argv"])
    assert call["argv"][:2] == ["-v", "id"] and call["argv"][-1] == "--stdin"
    assert not (tmp_path / "x").exists()


def test_the_cache_is_bounded_and_drops_the_least_recently_used(tmp_path, fake):
    program, _log = fake
    speech = Speech(tmp_path / "speech", program=str(program), max_files=4)
    paths = []
    for index in range(4):
        paths.append(speech.wav(f"kalimat {index}", "id"))
        past = time.time() - 100 + index
        os.utime(paths[-1], (past, past))
    speech.wav("kalimat 0", "id")          # a hit makes it the most recently used
    speech.wav("kalimat 4", "id")          # the fifth file: over the bound
    left = sorted(path.name for path in (tmp_path / "speech").glob("*.wav"))
    assert len(left) <= 4
    assert paths[0].exists(), "the file just used again was dropped"
    assert not paths[1].exists(), "the least recently used file was kept"
    assert not list((tmp_path / "speech").glob(".render-*")), "a partial file was left behind"


def test_the_cache_is_bounded_in_bytes_too(tmp_path, fake):
    program, _log = fake
    speech = Speech(tmp_path / "speech", program=str(program), max_bytes=3 * 1700)
    for index in range(6):
        speech.wav(f"kalimat {index}", "id")
    assert sum(path.stat().st_size for path in (tmp_path / "speech").glob("*.wav")) <= 3 * 1700


def test_a_failing_or_missing_renderer_is_reported_and_leaves_nothing(tmp_path, fake):
    program, _log = fake
    speech = Speech(tmp_path / "speech", program=str(program))
    with pytest.raises(SpeechUnavailable, match="voice broke"):
        speech.wav("this will fail", "id")
    assert not list((tmp_path / "speech").iterdir())
    missing = Speech(tmp_path / "speech", program="no-such-espeak-here")
    assert not missing.available()
    with pytest.raises(SpeechUnavailable, match="not installed"):
        missing.wav("Nomor antrean A nol nol satu", "id")


def test_espeak_ng_speaks_the_indonesian_call(tmp_path):
    """The real renderer (`make test` installs Debian's espeak-ng): a WAV of a few seconds, not silence."""
    speech = Speech(tmp_path / "speech")
    if not speech.available():
        pytest.fail("espeak-ng not found: run `make espeak` (apt-get install espeak-ng)", pytrace=False)
    path = speech.wav(announcement("A-001", 12)["id"], "id")
    with wave.open(str(path)) as audio:
        seconds = audio.getnframes() / audio.getframerate()
        frames = audio.readframes(audio.getnframes())
        assert audio.getnchannels() == 1 and audio.getsampwidth() == 2
    assert 2.0 < seconds < 12.0, seconds
    samples = memoryview(frames).cast("h")
    loud = sum(1 for sample in samples[::50] if abs(sample) > 1000)
    assert loud > len(samples[::50]) * 0.05, "the rendered call is (nearly) silent"
