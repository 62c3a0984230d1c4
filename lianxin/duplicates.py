"""Duplicates and repeat petitioners (docs/contract.md §6), free of I/O.

A citizen is recognised by keyed hashes of their normalised phone, e-mail and id number
(HMAC-SHA256 with a server secret): matching needs equality only, and the store keeps no
second plain copy of the contacts.

Similarity is the cosine of character-bigram counts of title + content. Chinese has no spaces
to split words on and a tokenizer would be one more dictionary to maintain; character n-grams
need none, ignore punctuation and word order, and a reworded complaint about the same place
and the same thing keeps most of its bigrams (地名, 化工, 排污…), while an unrelated one shares
few. Bigrams rather than trigrams: Chinese words are mostly two characters long. A maintained
fuzzy library (rapidfuzz) measures edit distance, which punishes reordering and length
differences that a rewording brings; see the tests for the pairs this must tell apart.
"""

import hashlib
import hmac
import math
import re
import unicodedata
from collections import Counter

_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


def normalise_phone(phone):
    digits = re.sub(r"\D", "", phone or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            digits = digits[len(prefix) :]
    return digits


def normalise_email(email):
    return (email or "").strip().lower()


def normalise_id_number(id_number):
    return re.sub(r"\s", "", id_number or "").upper()


def citizen_keys(citizen, secret):
    """The keyed hashes that identify the citizen: one per contact given ("p:…", "e:…",
    "i:…"); none for an anonymous citizen without contacts."""
    citizen = citizen or {}
    values = [
        ("p", normalise_phone(citizen.get("phone"))),
        ("e", normalise_email(citizen.get("email"))),
        ("i", normalise_id_number(citizen.get("id_number"))),
    ]

    def keyed(kind, value):
        digest = hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
        return f"{kind}:{digest.hexdigest()[:32]}"

    return [keyed(kind, value) for kind, value in values if len(value) >= 5]


def bigrams(text):
    text = _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text or "").lower())
    if len(text) < 2:
        return Counter(text)
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def similarity(a, b):
    """Cosine similarity (0…1) of the character-bigram counts of two texts."""
    ga, gb = bigrams(a), bigrams(b)
    if not ga or not gb:
        return 0.0
    dot = sum(count * gb[gram] for gram, count in ga.items() if gram in gb)
    return dot / math.sqrt(sum(c * c for c in ga.values()) * sum(c * c for c in gb.values()))


def case_text(case):
    return f"{case.get('title', '')} {case.get('content', '')}"


def best_match(new_case, candidates, threshold):
    """(candidate, score) of the most similar candidate at or over `threshold`, or None."""
    best = None
    for candidate in candidates:
        score = round(similarity(case_text(new_case), case_text(candidate)), 4)
        if score >= threshold and (best is None or score > best[1]):
            best = (candidate, score)
    return best
