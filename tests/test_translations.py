"""Indonesian is the default UI language: every visitor-facing string must have a translation."""
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "shared" / "translations"


def test_indonesian_catalog_is_complete_and_current(tmp_path):
    template = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "--quiet", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "N_",
                                "-o", str(template), str(ROOT)])
    with template.open("rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    with (TRANSLATIONS / "id" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {message.id for message in catalog if message.id and message.string and not message.fuzzy}
    missing = sorted(str(message_id) for message_id in wanted - translated)
    assert not missing, f"untranslated or fuzzy in the Indonesian catalog: {missing}"
