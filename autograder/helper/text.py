"""Bilingual text: every student-facing string exists in Korean and English.

It imports nothing of the kit (nor numpy): the engine, the helper and the lectures all speak through it.
"""
from __future__ import annotations

import locale
import os
from dataclasses import dataclass

LANGS = ("ko", "en")


@dataclass(frozen=True)
class Text:
    """One message in both languages; ``str()`` is never used for display, ``pick`` is."""

    en: str
    ko: str

    def pick(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en

    def format(self, **values) -> "Text":
        """Both languages formatted with ``values``; a value that is a Text gives each language its own."""
        return Text(self.en.format(**{k: pick(v, "en") if isinstance(v, Text) else v for k, v in values.items()}),
                    self.ko.format(**{k: pick(v, "ko") if isinstance(v, Text) else v for k, v in values.items()}))

    def to_dict(self) -> dict:
        return {"en": self.en, "ko": self.ko}


def T(en: str, ko: str) -> Text:
    return Text(en, ko)


def text_to_plain(text: "Text | str") -> "dict | str":
    """A Text as {"en", "ko"} (a plain str, such as a number, as itself): how results.json and the journal keep it."""
    return text.to_dict() if isinstance(text, Text) else text


def text_from_plain(value) -> "Text | str":
    """What :func:`text_to_plain` wrote, back: {"en", "ko"} is a Text, anything else the str it was (files
    written before expected/measured were bilingual hold a str)."""
    if isinstance(value, dict) and set(value) == {"en", "ko"}:
        return Text(en=str(value["en"]), ko=str(value["ko"]))
    return "" if value is None else str(value)


def pick(text: "Text | str | None", lang: str) -> str:
    if text is None:
        return ""
    return text.pick(lang) if isinstance(text, Text) else str(text)


def both(text: "Text | str | None") -> str:
    """Korean first, English beside it (the notebook's convention)."""
    if text is None:
        return ""
    if not isinstance(text, Text):
        return str(text)
    return text.ko if text.ko == text.en else f"{text.ko} / {text.en}"


def default_lang() -> str:
    """The language a person's environment asks for: INITLAB_LANG, else LANG, else the locale ('ko' or 'en')."""
    env = os.environ.get("INITLAB_LANG") or os.environ.get("LANG") or (locale.getlocale()[0] or "")
    return "ko" if env.lower().startswith("ko") else "en"
