"""The mobilise exception tree.

Every error a user can cause derives from :class:`MobiliseError` and knows how each face reports it:
its HTTP status (JSON API and web pages) and its CLI exit code. The JSON body is always::

    {"error": {"code": "<code>", "message": "<one sentence>", "problems": [<Problem>...]}}

::

    MobiliseError                  500, exit 1
    ├── ValidationError            422, exit 2   bad input; carries every Problem at once
    ├── NotFound                   404, exit 3
    ├── Conflict                   409, exit 4   stale version, duplicate key
    ├── AuthenticationRequired     401, exit 5
    ├── PermissionDenied           403, exit 5
    ├── ConfigurationError         500, exit 6   unsafe or missing settings, missing extras
    └── RateLimited                429, exit 7   too many suggestions from one sender
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

__all__ = [
    "AuthenticationRequired",
    "ConfigurationError",
    "Conflict",
    "MobiliseError",
    "NotFound",
    "PermissionDenied",
    "Problem",
    "RateLimited",
    "ValidationError",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and how to fix it.

    ``row`` is the 1-based data row of a file (the header is row 0) or feature number of a
    geographic file; ``field`` is the column or property name.
    """

    message: str
    file: str | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class MobiliseError(Exception):
    """Base of every error mobilise raises on purpose."""

    status_code: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1
    code: ClassVar[str] = "error"

    def __init__(self, message: str, *, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        shown = self.problems[:50]
        lines = [self.message, *(f"  - {p}" for p in shown)]
        if len(self.problems) > len(shown):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more problems")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The one JSON error shape of the API."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "problems": [p.to_dict() for p in self.problems],
            }
        }


class ValidationError(MobiliseError, ValueError):
    """Input that cannot be accepted; ``problems`` lists every problem found, not just the first."""

    status_code = 422
    exit_code = 2
    code = "invalid_input"

    @classmethod
    def collect(cls, problems: Iterable[Problem], *, what: str) -> ValidationError | None:
        """An error for ``problems`` if there are any, else ``None``. ``what`` names the input."""
        found = list(problems)
        if not found:
            return None
        noun = "problem" if len(found) == 1 else "problems"
        return cls(f"{what}: {len(found)} {noun}; nothing was imported.", problems=found)


class NotFound(MobiliseError, LookupError):
    status_code = 404
    exit_code = 3
    code = "not_found"


class Conflict(MobiliseError):
    """A stale update (the record changed since it was read) or a duplicate key."""

    status_code = 409
    exit_code = 4
    code = "conflict"


class AuthenticationRequired(MobiliseError):
    status_code = 401
    exit_code = 5
    code = "authentication_required"


class PermissionDenied(MobiliseError):
    status_code = 403
    exit_code = 5
    code = "permission_denied"


class ConfigurationError(MobiliseError):
    status_code = 500
    exit_code = 6
    code = "configuration_error"


class RateLimited(MobiliseError):
    """Too many suggestions from one sender in the last hour."""

    status_code = 429
    exit_code = 7
    code = "rate_limited"

    def __init__(
        self, message: str, *, retry_after: int = 3600, problems: Sequence[Problem] = ()
    ) -> None:
        super().__init__(message, problems=problems)
        self.retry_after = retry_after  # seconds until the sender may try again
