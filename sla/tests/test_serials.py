import pytest
from django.core.exceptions import ValidationError

from sla.serials import make_serial, validate_serial

GOOD = make_serial("ABCDE-FGHJK-LMNPQ-RSTU")


def test_a_made_serial_validates_to_itself():
    assert validate_serial(GOOD) == GOOD
    assert len(GOOD) == 23


@pytest.mark.parametrize(
    "pasted",
    [GOOD.lower(), GOOD.replace("-", ""), f"  {GOOD}  ", GOOD.replace("-", " "), GOOD.replace("-", "—")],
)
def test_pasted_variants_are_normalised(pasted):
    assert validate_serial(pasted) == GOOD


def test_cyrillic_lookalikes_are_accepted():
    cyrillic = GOOD.replace("A", "А").replace("C", "С").replace("E", "Е")
    assert validate_serial(cyrillic) == GOOD


def _error(raw):
    with pytest.raises(ValidationError) as exc:
        validate_serial(raw)
    return exc.value.code, exc.value.messages[0]


def test_wrong_length_says_how_many_characters():
    code, message = _error(GOOD[:-3])
    assert code == "length" and "17" in message and "20" in message


def test_foreign_characters_are_named():
    code, message = _error(GOOD[:-1] + "Ж")
    assert code == "characters" and "Ж" in message


def test_one_mistyped_character_is_caught():
    wrong = GOOD[:2] + ("B" if GOOD[2] != "B" else "C") + GOOD[3:]
    code, message = _error(wrong)
    assert code == "checksum" and "mistyped" in message


def test_swapped_neighbours_are_caught():
    chars = list(GOOD)
    chars[0], chars[1] = chars[1], chars[0]
    assert _error("".join(chars))[0] == "checksum"


def test_empty_serial_explains_the_format():
    code, message = _error("   ")
    assert code == "empty" and "ABCDE" in message
