"""seed_values.as_is, which compiles its patterns only when a name or text is not printable as it stands:
the same answer as the patterns give, for any text (and the patterns are compiled when they are needed)."""

from __future__ import annotations

import re
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from gkplan import seed_values
from gkplan.seed_values import NAME_BAD, TEXT_BAD, as_is

CHARS = st.sampled_from("a 甲\t\n\r\x0b\x1f\x7f\x85\x9f\xa0\u2028\u202a\u202e\u2066\u2069\u200b\ufeff\U0001f600")


@given(st.text(CHARS, max_size=8) | st.text(max_size=8), st.sampled_from([200, 100_000]))
def test_as_is_answers_as_the_patterns_do(value, limit):
    bad = re.compile(NAME_BAD if limit == 200 else TEXT_BAD)
    assert as_is(value, limit) == (0 < len(value) <= limit and value.strip() is value and not bad.search(value))
    if value.strip(seed_values.SPACE):
        try:
            got = seed_values.name(value, limit != 200)
        except seed_values.Bad as exc:
            assert exc.kind == "string_pattern_mismatch" or len(value.strip(seed_values.SPACE)) > limit
            assert bad.search(value.strip(seed_values.SPACE)) or exc.kind != "string_pattern_mismatch"
        else:
            assert got == value.strip(seed_values.SPACE) and not bad.search(got)


def test_the_patterns_are_compiled_only_for_what_is_not_printable():
    probe = ("from gkplan import seed_values as v\n"
             "first = [v.as_is('甲乙'), v.as_is('甲\\n\\t乙', 100_000), type(v.name_bad).__name__, type(v.text_bad).__name__]\n"
             "print(first, [v.as_is('甲\\u202e乙'), v.as_is('甲\\r\\n乙', 100_000), type(v.name_bad).__name__, type(v.text_bad).__name__])\n")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ("[True, True, 'function', 'function'] "
                   "[False, False, 'builtin_method', 'builtin_method']")  # fmt: skip
