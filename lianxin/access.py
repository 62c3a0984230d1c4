"""Citizens' access codes: random, read-out-able, stored only as a keyed hash.

A new code is stored as HMAC-SHA256 under a key derived from LX_CITIZEN_KEY_SECRET (kept for
the life of the installation) over a per-case salt and the code (`h1:`; docs/decisions/0021):
guessing it from a copy of the store needs the secret, and online guessing is rate-limited.
Codes of earlier cases keep their salted PBKDF2 hash (60 000 rounds), and still match."""

import hashlib
import hmac
import secrets

# No 0/O, 1/I/L: a code read out over the phone must not be misheard.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
_HASH_ROUNDS = 60_000


def new_access_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code):
    return (code or "").strip().upper().replace(" ", "").replace("-", "")


KEYED = "h1:"


def _code_key(secret):
    return hashlib.sha256(b"lianxin access-code hmac\0" + secret.encode()).digest()


def hash_access_code(code, salt=None, secret=None):
    """Returns (salt, hash) as hex: the keyed hash (`h1:…`) under `secret` (default
    LX_CITIZEN_KEY_SECRET)."""
    from . import settings

    salt = salt or secrets.token_hex(16)
    key = _code_key(secret if secret is not None else settings.CITIZEN_KEY_SECRET)
    message = bytes.fromhex(salt) + normalize_code(code).encode()
    return salt, KEYED + hmac.new(key, message, hashlib.sha256).hexdigest()


def slow_hash_access_code(code, salt):
    """The salted PBKDF2 hash codes were stored as before the keyed hash (still matched)."""
    digest = hashlib.pbkdf2_hmac(
        "sha256", normalize_code(code).encode(), bytes.fromhex(salt), _HASH_ROUNDS
    )
    return digest.hex()


def code_matches(case, code, secret=None):
    salt, stored = case.get("access_salt"), case.get("access_hash")
    if not (salt and stored and code):
        return False
    if stored.startswith(KEYED):
        return hmac.compare_digest(hash_access_code(code, salt, secret)[1], stored)
    return hmac.compare_digest(slow_hash_access_code(code, salt), stored)


# --- the copies of a plain code kept for a while ------------------------------------------
# A code must be read out again twice after it was made: to answer a retried submission with
# the same receipt (for the retry window) and to put it into the acknowledgement (until that
# is sent). Those copies are sealed (AES-GCM under a key derived from LX_SECRET_KEY, bound to
# the case number), never stored in clear, and deleted when their use is over
# (docs/security.md). Stored message texts carry CODE_PLACEHOLDER instead of the code; the
# channel puts the code in at the moment of sending.
CODE_PLACEHOLDER = "LXACCESSCODEPLACEHOLDER"


def _seal_key(secret):
    return hashlib.sha256(b"lianxin access-code seal\0" + secret.encode()).digest()


def seal(code, secret, case_id):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_seal_key(secret)).encrypt(nonce, code.encode(), case_id.encode())
    return "v1:" + (nonce + sealed).hex()


def unseal(sealed, secret, case_id):
    """The plain code, or None if it cannot be opened (another key, another case, tampered)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not (isinstance(sealed, str) and sealed.startswith("v1:")):
        return None
    try:
        raw = bytes.fromhex(sealed[3:])
        return AESGCM(_seal_key(secret)).decrypt(raw[:12], raw[12:], case_id.encode()).decode()
    except (ValueError, InvalidTag):
        return None


def pending_code(db, case_id, secret):
    """The plain code of a case whose acknowledgement has not gone out yet, else None."""
    doc = db.ack_codes.find_one({"_id": case_id}) if case_id else None
    return unseal(doc.get("sealed"), secret, case_id) if doc else None


def with_code(content, code):
    """A stored message's content with the code put in place of the placeholder."""
    return {
        k: v.replace(CODE_PLACEHOLDER, code) if isinstance(v, str) else v
        for k, v in content.items()
    }
