"""Masking on every public page (docs/contract.md §11): a citizen's name and phone shortened,
identity numbers, e-mail addresses and phone numbers inside a text hidden. The public board,
Open311 and the comments on a consultation show people the same way."""

import re

PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
ID_IN_TEXT = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def mask_name(name):
    return f"{name[0]}**" if name else None


def mask_phone(phone):
    digits = re.sub(r"\D", "", phone or "")[-11:]
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else None


def mask_text(text):
    """Contacts a citizen typed into their own words are masked too."""
    text = ID_IN_TEXT.sub("******************", text or "")
    text = EMAIL_IN_TEXT.sub("***@***", text)
    return PHONE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
