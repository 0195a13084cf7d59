"""Punctuation belongs to the translation: "Label: text" is one translatable pattern
(``openimi.lib.text.labelled``), so French can write "Libellé : texte"."""

import re
from pathlib import Path

from django.utils import translation

import openimi
from openimi.lib.text import labelled

ROOT = Path(openimi.__file__).parent
# A label glued to a text with a colon in code ("{label}: {error}") or in a template
# ("{{ field.label }}: {{ error }}", "{% trans "Date of birth" %}: {{ … }}").
GLUED_PY = re.compile(r"""f["'][^"']*\{[^}]+\}: \{""")
GLUED_HTML = re.compile(r"""(\}\}|%\}): \{\{""")


def test_labelled_is_the_translated_pattern():
    with translation.override("en"):
        assert labelled("Name", "Enter a name.") == "Name: Enter a name."


def test_no_page_or_message_glues_a_colon():
    offenders = [
        str(path.relative_to(ROOT))
        for path in [*ROOT.rglob("views.py"), *ROOT.rglob("forms.py"), *ROOT.rglob("importing.py")]
        if GLUED_PY.search(path.read_text())
    ] + [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.html")
        if GLUED_HTML.search(re.sub(r"{% blocktrans.*?{% endblocktrans %}", "", path.read_text(), flags=re.S))
    ]
    assert offenders == []
