import pytest

from ganforge.durations import format_duration


@pytest.mark.parametrize(("seconds", "text"), [(42.4, "42 s"), (59.6, "1 min 00 s"),
                                                (525, "8 min 45 s"), (7500, "2 h 05 min")])
def test_durations_read_as_people_write_them(seconds, text):
    assert format_duration(seconds) == text
