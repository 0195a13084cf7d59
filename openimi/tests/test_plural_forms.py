"""A sentence with a number in it is translated with plural forms (``ngettext``,
``{% blocktrans count %}``): French wrote "13 nouvelle(s)", Polish and the other Slavic and
Baltic languages need up to four forms."""

import re
from pathlib import Path

import openimi

# A count, limit or maximum put into a sentence by plain gettext (its first placeholder: "from
# %(min)d to %(max)d" is a range, not a quantity of things).
COUNTED = re.compile(r"""(?<![n\w])_\(\s*["'][^"'%]*%\((count|limit|max|created|updated|total)\)d""")


def test_no_sentence_with_a_count_is_translated_without_plural_forms():
    root = Path(openimi.__file__).parent
    offenders = [
        f"{path.relative_to(root)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
        for text in [path.read_text()]
        for match in COUNTED.finditer(text)
    ]
    assert offenders == []
