"""Secrets kept at rest (an identity provider's client secret, a tenant's token key), sealed.

Sealing is Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under a key derived
from the deployment's `secret_key` with HKDF-SHA256, one key per purpose so a value sealed
for one use cannot be unsealed as another. Changing `secret_key` makes every sealed value
unsealable: the admin re-enters it, and the page says so rather than failing.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class Unsealable(ValueError):
    """A sealed value was made under another secret key or purpose, or was tampered with."""


@lru_cache(maxsize=32)
def _fernet(secret_key: str, purpose: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"parvis-seal-v1", info=purpose.encode()
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, purpose: str, value: str) -> str:
    return _fernet(secret_key, purpose).encrypt(value.encode()).decode("ascii")


def unseal(secret_key: str, purpose: str, sealed: str) -> str:
    try:
        return _fernet(secret_key, purpose).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError) as exc:
        raise Unsealable(purpose) from exc
