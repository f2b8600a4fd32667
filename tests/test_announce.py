"""The spoken call: digits one by one, counter as a number, in Indonesian and English."""
from shared.domain.announce import announcement, spell_ticket


def test_contract_example_sentence():
    assert announcement("A-001", 3)["id"] == "Nomor antrean A nol nol satu, silakan menuju loket tiga"


def test_counter_numbers_read_as_whole_numbers():
    spoken = announcement("B-120", 12)
    assert spoken["id"].endswith("loket dua belas")
    assert spoken["en"] == "Ticket number B one two zero, please go to counter twelve"


def test_spelling_ignores_punctuation():
    assert spell_ticket("C-1005", "id") == "C satu nol nol lima"
