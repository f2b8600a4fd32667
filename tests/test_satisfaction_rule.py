"""The IKM of PermenPANRB 14/2017 (pure rule): hand-worked figures, grades, rounding."""
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from shared.domain import satisfaction as sat
from shared.domain.errors import Unprocessable

scores = st.integers(min_value=1, max_value=4)
skm_answer = st.fixed_dictionaries({code: scores for code in sat.ELEMENT_CODES})


def test_ten_single_answers_by_hand():
    # 4,4,4,3,3,3,3,2,4,4: sum 34, mean 3.4, × 25 = 85.00 → B (76.61–88.30).
    answers = [4, 4, 4, 3, 3, 3, 3, 2, 4, 4]
    assert sat.single_ikm(answers) == Decimal("85.00")
    assert sat.single_ikm_from_total(34, 10) == Decimal("85.00")
    assert sat.grade(sat.single_ikm(answers)).letter == "B"


def test_single_extremes_are_25_and_100():
    assert sat.single_ikm([1, 1, 1]) == Decimal("25.00")
    assert sat.single_ikm([4] * 7) == Decimal("100.00")
    assert sat.grade(100).letter == "A" and sat.grade(25).letter == "D"


def test_nine_elements_by_hand_round_half_up():
    # Column sums over four respondents: 14 13 12 16 14 15 16 11 13, so the NRRs are
    # 3.5 3.25 3 4 3.5 3.75 4 2.75 3.25 (sum 31); weighted 31 × 0.111 = 3.441;
    # × 25 = 86.025 exactly, which rounds half up to 86.03 (a float sum would not).
    answers = [
        dict(U1=4, U2=4, U3=3, U4=4, U5=4, U6=4, U7=4, U8=3, U9=4),
        dict(U1=4, U2=3, U3=3, U4=4, U5=4, U6=4, U7=4, U8=3, U9=3),
        dict(U1=3, U2=3, U3=3, U4=4, U5=3, U6=4, U7=4, U8=3, U9=3),
        dict(U1=3, U2=3, U3=3, U4=4, U5=3, U6=3, U7=4, U8=2, U9=3),
    ]
    means = sat.element_means(answers)
    assert means["U1"] == Fraction(7, 2) and means["U8"] == Fraction(11, 4)
    assert sat.weighted_nrr(means) == Fraction("3.441")
    assert sat.skm_ikm(answers) == Decimal("86.03")
    assert sat.grade(sat.skm_ikm(answers)).letter == "B"


def test_all_fours_in_skm_give_99_9_because_of_the_0_111_weight():
    assert sat.skm_ikm([dict.fromkeys(sat.ELEMENT_CODES, 4)]) == Decimal("99.90")
    assert sat.skm_ikm([dict.fromkeys(sat.ELEMENT_CODES, 1)]) == Decimal("24.98")
    assert sat.grade(Decimal("24.98")).letter == "D"


def test_no_responses_no_index():
    assert sat.single_ikm([]) is None
    assert sat.single_ikm_from_total(0, 0) is None
    assert sat.element_means([]) is None
    assert sat.skm_ikm([]) is None
    assert sat.grade(None) is None


@pytest.mark.parametrize("value, letter", [
    ("100", "A"), ("88.31", "A"), ("88.30", "B"), ("76.61", "B"), ("76.60", "C"),
    ("65.00", "C"), ("64.99", "D"), ("25.00", "D"),
    # Read at 2 decimals, half up: the table's gaps are closed by rounding.
    ("88.305", "A"), ("88.3049", "B"), ("76.605", "B"), ("76.6049", "C"), ("64.995", "C"),
])
def test_grade_boundaries_are_exact(value, letter):
    assert sat.grade(Decimal(value)).letter == letter


def test_grade_reads_a_float_as_written():
    # 88.305 as a binary float is 88.30499999…; the rule reads the written 88.305.
    assert sat.grade(88.305).letter == "A"


def test_grade_labels():
    assert [(g.letter, g.label) for g in sat.GRADES] == [
        ("A", "Very good"), ("B", "Good"), ("C", "Fair"), ("D", "Poor")]
    assert sat.SCORE_LABELS == {1: "Poor", 2: "Fair", 3: "Good", 4: "Very good"}


def test_nine_elements_of_the_regulation():
    assert sat.ELEMENT_CODES == tuple(f"U{n}" for n in range(1, 10))
    assert all(element.name and element.question.endswith("?") for element in sat.ELEMENTS)


@pytest.mark.parametrize("value", [0, 5, "4", 4.0, 3.5, True, None])
def test_scores_outside_1_to_4_are_refused(value):
    with pytest.raises(Unprocessable):
        sat.check_score(value)


def test_elements_must_be_all_nine():
    with pytest.raises(Unprocessable):
        sat.check_elements({"U1": 4})
    with pytest.raises(Unprocessable):
        sat.check_elements({**dict.fromkeys(sat.ELEMENT_CODES, 4), "U10": 4})
    with pytest.raises(Unprocessable):
        sat.check_elements({**dict.fromkeys(sat.ELEMENT_CODES, 4), "U3": 0})
    assert sat.check_elements(dict.fromkeys(sat.ELEMENT_CODES, 2))["U9"] == 2


def test_comment_is_trimmed_and_bounded():
    assert sat.check_comment("  ramah sekali \n") == "ramah sekali"
    assert sat.check_comment("   ") is None
    assert sat.check_comment(None) is None
    assert sat.check_comment("x" * 500) == "x" * 500
    with pytest.raises(Unprocessable):
        sat.check_comment("x" * 501)
    with pytest.raises(Unprocessable):
        sat.check_comment(12)


@given(st.lists(scores, min_size=1, max_size=300))
def test_single_ikm_stays_between_25_and_100(answers):
    value = sat.single_ikm(answers)
    assert Decimal(25) <= value <= Decimal(100)
    assert value == sat.single_ikm_from_total(sum(answers), len(answers))


@given(st.lists(skm_answer, min_size=1, max_size=40))
def test_skm_ikm_stays_between_24_975_and_99_9(answers):
    value = sat.skm_ikm(answers)
    assert Decimal("24.98") <= value <= Decimal("99.90")


@given(st.decimals(min_value=0, max_value=100, places=4))
def test_grade_is_the_table_row_of_the_rounded_value(value):
    two = value.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    expected = "A" if two >= Decimal("88.31") else "B" if two >= Decimal("76.61") \
        else "C" if two >= Decimal("65.00") else "D"
    assert sat.grade(value).letter == expected


@given(st.lists(scores, min_size=1, max_size=50))
def test_grade_never_falls_between_rows(answers):
    # Every reachable index has exactly one grade, and higher never grades lower.
    value = sat.single_ikm(answers)
    letters = "DCBA"
    assert letters.index(sat.grade(value).letter) >= letters.index(sat.grade(value - Decimal("0.01")).letter)
