"""Citizens' access codes: random, read-out-able, stored only as a salted slow hash."""
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


def hash_access_code(code, salt=None):
    """Returns (salt, hash) as hex."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", normalize_code(code).encode(), bytes.fromhex(salt),
                                 _HASH_ROUNDS)
    return salt, digest.hex()


def code_matches(case, code):
    salt, stored = case.get("access_salt"), case.get("access_hash")
    if not (salt and stored and code):
        return False
    return hmac.compare_digest(hash_access_code(code, salt)[1], stored)
