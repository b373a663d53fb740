"""The token of a one-time password link, signed instead of stored (no table).

As Django's ``PasswordResetTokenGenerator`` does, the token carries the user's id and its expiry
in the clear and an HMAC-SHA256, keyed with the deployment's secret key, over those and the
state of the account when the link was issued: its password hash and its record version. Setting
a password changes both, so a link works once; any other change to the account (a new role,
disabling it) also ends every link issued before it. A link names its expiry, so it cannot be
stretched, and one signed with another key (another deployment's) matches nothing.

Form: ``<user id>.<expiry, Unix seconds in base 36>.<signature, base64url>``: URL-safe, and
short enough for an e-mail or a chat message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["MAX_TOKEN_CHARS", "ResetToken", "make_token", "matches", "parse_token"]

MAX_TOKEN_CHARS = 200
_PURPOSE = "mobilise one-time password link"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class ResetToken:
    """A token read back: whose it is, when it ends, and its signature (not yet checked)."""

    user_id: str
    expires: int  # Unix seconds
    signature: str

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = _DIGITS[digit] + digits
        if not number:
            return digits


def sign(key: str, user_id: str, expires: int, password_hash: str, version: int) -> str:
    """The signature of a link for this account state."""
    message = "\x00".join((_PURPOSE, user_id, str(expires), password_hash, str(version)))
    digest = hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_token(key: str, user_id: str, expires: int, password_hash: str, version: int) -> str:
    return f"{user_id}.{_base36(expires)}.{sign(key, user_id, expires, password_hash, version)}"


def parse_token(token: str) -> ResetToken | None:
    """The parts of a token, or ``None`` when it is not one (never an exception)."""
    if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        return None
    user_id, expires, signature = token.split(".")
    if not user_id or not signature or not expires or len(expires) > 10:
        return None
    if any(c not in _DIGITS for c in expires):
        return None
    return ResetToken(user_id, int(expires, 36), signature)


def matches(key: str, token: ResetToken, password_hash: str, version: int) -> bool:
    """Whether the token's signature is the one for this account state (in constant time)."""
    expected = sign(key, token.user_id, token.expires, password_hash, version)
    return hmac.compare_digest(expected, token.signature)
