"""The spoken call: a catalog sentence, digits one by one, counter as a number, in every language."""
from shared.i18n import LANGUAGES
from shared.views.announce import CALL, announcement, number_words, spell_ticket


def test_contract_example_sentence():
    assert announcement("A-001", 3)["id"] == "Nomor antrean A nol nol satu, silakan menuju loket tiga"
    assert announcement("A-001", 2)["id"] == "Nomor antrean A nol nol satu, silakan menuju loket dua"


def test_counter_numbers_read_as_whole_numbers():
    spoken = announcement("B-120", 12)
    assert spoken["id"].endswith("loket dua belas")
    assert spoken["en"] == "Ticket number B one two zero, please go to counter twelve"


def test_one_sentence_per_language_from_the_catalog_msgid():
    spoken = announcement("A-001", 2)
    assert tuple(spoken) == LANGUAGES
    assert spoken["en"] == CALL % {"ticket": "A zero zero one", "counter": "two"}


def test_spelling_ignores_punctuation():
    assert spell_ticket("C-1005", "id") == "C satu nol nol lima"


def test_a_language_num2words_does_not_know_reads_the_digits():
    assert number_words(12, "jv") == "12"
    assert spell_ticket("A-001", "jv") == "A 0 0 1"
