"""What the public may see of a citizen's case (docs/contract.md §11): the board's rule — an
answered or closed case whose citizen agreed to publication, never a report (举报), never a
confidential one — and the masking of names, phones, e-mails and id numbers, also where a
citizen typed them into their own words. The case board (services/reading/public.py), the
project board (services/matters/public.py) and the comments on a consultation
(services/consult) show people this way."""

import re

PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
ID_IN_TEXT = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
BOARD_STATES = ("answered", "closed")


def on_public_board(case):
    return bool(
        case.get("public_consent")
        and case["status"] in BOARD_STATES
        and case.get("kind") != "report"
        and "confidential" not in case.get("flags", [])
    )


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
