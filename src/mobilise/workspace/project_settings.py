"""A project's own settings, kept in its workspace: the lived-experience groups it monitors,
what stays after a withdrawal (its ethics protocol's retention rule), the payment total that
warns, and the smallest count shown outside admins.

Each setting has a default (:data:`DEFAULTS`) and a check; a stored value replaces the default,
with its audit entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mobilise.errors import Problem, ValidationError
from mobilise.model.engagement_vocab import (
    DEFAULT_LIVED_EXPERIENCE,
    DEFAULT_PAYMENT_WARNING_PENCE,
    RETENTION_RULES,
)
from mobilise.model.partner_vocab import DEFAULT_MIN_RATERS
from mobilise.store.records import insert_record, update_record
from mobilise.store.tables import project_settings

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["DEFAULTS", "ProjectSettingsService"]

DEFAULTS: dict[str, Any] = {
    "lived_experience": DEFAULT_LIVED_EXPERIENCE,
    "retention": "remove",
    "payment_warning_pence": DEFAULT_PAYMENT_WARNING_PENCE,
    "disclosure_k": DEFAULT_MIN_RATERS,
}
"""Every project setting and its default."""

DESCRIPTIONS: dict[str, str] = {
    "lived_experience": "the lived-experience groups participants may say they belong to "
    "(code: label)",
    "retention": "what stays after a withdrawal: "
    + "; ".join(f"{code}: {words}" for code, words in RETENTION_RULES.items()),
    "payment_warning_pence": "warn when a person's involvement payments in one tax year pass "
    "this many pence",
    "disclosure_k": "the smallest count of people shown outside admins (smaller: 'fewer than k')",
}


def _labels(value: Any) -> str | None:
    if not isinstance(value, Mapping) or not value:
        return "must be a non-empty mapping of code to label"
    for code, label in value.items():
        if not (isinstance(code, str) and code.isidentifier() and len(code) <= 40):
            return f"code {code!r} must be a short identifier (letters, digits, _)"
        if not (isinstance(label, str) and label.strip() and len(label) <= 200):
            return f"the label of {code!r} must be text of at most 200 characters"
    return None


def _whole(low: int, high: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        return None if ok else f"must be a whole number from {low} to {high}"

    return check


_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "lived_experience": _labels,
    "retention": lambda v: (
        None
        if isinstance(v, str) and v in RETENTION_RULES
        else (f"must be one of {', '.join(RETENTION_RULES)}")
    ),
    "payment_warning_pence": _whole(0, 10**9),
    "disclosure_k": _whole(1, 100),
}


class ProjectSettingsService:
    """Read and change the project's settings."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def get(self, key: str) -> Any:
        """The value of one setting (its default when never set)."""
        self._known(key)
        with self._ws.read() as connection:
            stored = connection.execute(
                select(project_settings.c.value).where(project_settings.c.key == key)
            ).scalar_one_or_none()
        return DEFAULTS[key] if stored is None else stored

    def all(self) -> dict[str, Any]:
        """Every setting with its value."""
        with self._ws.read() as connection:
            stored = dict(
                connection.execute(select(project_settings.c.key, project_settings.c.value)).all()
            )
        return {key: stored.get(key, default) for key, default in DEFAULTS.items()}

    def set(self, key: str, value: Any) -> Any:
        """Store ``value`` for ``key`` after checking it."""
        self._known(key)
        problem = _CHECKS[key](value)
        if problem:
            raise ValidationError(
                f"Cannot set {key}.", problems=[Problem(f"{key} {problem}", field=key)]
            )
        with self._ws.write() as connection:
            stored = connection.execute(
                select(project_settings.c.key).where(project_settings.c.key == key)
            ).first()
            if stored is None:
                insert_record(
                    connection,
                    project_settings,
                    {"key": key, "value": value},
                    actor=self._ws.actor,
                    entity_type="project setting",
                )
            else:
                update_record(
                    connection,
                    project_settings,
                    key,
                    {"value": value},
                    expected_version=None,
                    actor=self._ws.actor,
                    entity_type="project setting",
                )
        return value

    @staticmethod
    def _known(key: str) -> None:
        if key not in DEFAULTS:
            raise ValidationError(
                f"No project setting {key!r}.",
                problems=[Problem(f"one of {', '.join(DEFAULTS)}", field="key")],
            )
