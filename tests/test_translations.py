"""Indonesian is the default UI language: every visitor-facing string must have a translation.

The languages are the catalogs present, and Flask-free code translates through them too.
"""
import shutil
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from shared.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalog_languages, translate, translator

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


def test_no_catalog_entry_is_fuzzy():
    for language in LANGUAGES:
        with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            fuzzy = [str(message.id) for message in read_po(handle) if message.id and message.fuzzy]
        assert not fuzzy, f"fuzzy entries in the {language} catalog (compile skips them): {fuzzy}"


def test_languages_are_the_catalogs_indonesian_first():
    assert LANGUAGES == catalog_languages(TRANSLATIONS)
    assert LANGUAGES[:2] == ("id", "en")
    assert DEFAULT_LANGUAGE == "id"


def test_translate_reads_the_compiled_catalogs():
    assert translate("Queue number", "id") == "Nomor Antrean"
    assert translate("Queue number", "en") == "Queue number"
    assert translate("People ahead of you: %(ahead)s", "id", ahead=4) == "Orang di depan Anda: 4"
    assert translate("A sentence no catalog has", "id") == "A sentence no catalog has"
    assert translate("Queue number", "xx") == "Nomor Antrean", "a language without a catalog gets the default"


def add_catalog(directory: Path, language: str, translations: dict[str, str]) -> None:
    """A catalog for `language` in `directory`, as a translator would add it, compiled as `make` does."""
    catalog = Catalog(locale=language, fuzzy=False)
    for msgid, text in translations.items():
        catalog.add(msgid, text)
    folder = directory / language / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.po").open("wb") as handle:
        write_po(handle, catalog)
    CommandLineInterface().run(["pybabel", "--quiet", "compile", "-d", str(directory), "-l", language])


def test_a_catalog_folder_adds_a_language(tmp_path):
    directory = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, directory)
    assert catalog_languages(directory) == LANGUAGES
    add_catalog(directory, "jv", {"Queue number": "Nomer Antrean",
                                  "People ahead of you: %(ahead)s": "Tiyang ing ngajeng panjenengan: %(ahead)s"})
    (directory / "__pycache__").mkdir()  # not a language
    assert catalog_languages(directory) == (*LANGUAGES, "jv")
    javanese = translator("jv", directory)
    assert javanese("Queue number") == "Nomer Antrean"
    assert javanese("People ahead of you: %(ahead)s", ahead=2) == "Tiyang ing ngajeng panjenengan: 2"
    assert javanese("Issued: %(when)s", when="08:00") == "Issued: 08:00", "untranslated: the English msgid"
    assert translator("id", directory)("Queue number") == "Nomor Antrean"


def test_other_catalogs_sort_after_indonesian_and_english(tmp_path):
    for language in ("ban", "en", "jv", "id"):
        add_catalog(tmp_path, language, {})
    assert catalog_languages(tmp_path) == ("id", "en", "ban", "jv")
    assert catalog_languages(tmp_path / "missing") == ("id",)
