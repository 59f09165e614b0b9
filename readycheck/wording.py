"""Grammar for messages built around a count or a phrase: `1 entry`, `2 entries`, `an AWS key`, `a GitHub token`.

One place for it, so that no message says "a AWS access key" or "1 files".
"""

from __future__ import annotations

_LETTERS_SAID_WITH_A_VOWEL = frozenset("AEFHILMNORSX")  # an AWS key, an SSH key, an RSA key; but a PEM block
_VOWEL_SPELLINGS_SAID_WITH_A_CONSONANT = ("uni", "use", "usu", "uti", "one", "eu")  # a unique, a user, a one-off
_SILENT_H = ("hour", "honest", "honou")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 file`, `2 files`; `1 entry`, `3 entries` with the plural form given."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


def with_article(phrase: str) -> str:
    """`phrase` after `a` or `an`, chosen by the sound of its first word.

    An acronym spelled out letter by letter (AWS, SSH, PEM) goes by the name of
    its first letter; any other word by its first letters.
    """
    word = phrase.lstrip("'\"(`").split(" ", 1)[0].split("-", 1)[0]
    if not word:
        return f"a {phrase}"
    letters = "".join(c for c in word if c.isalpha())
    if len(letters) > 1 and letters.isupper():
        vowel_sound = letters[0] in _LETTERS_SAID_WITH_A_VOWEL
    else:
        lower = word.lower()
        vowel_sound = (lower[0] in "aeiou" and not lower.startswith(_VOWEL_SPELLINGS_SAID_WITH_A_CONSONANT)) \
            or lower.startswith(_SILENT_H)
    return f"{'an' if vowel_sound else 'a'} {phrase}"
