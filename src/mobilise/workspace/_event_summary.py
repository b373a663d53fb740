"""The one-page summary of an event after it was held: who came by group (age band, IMD decile
and Core20, high-level ethnic group, disability), the partners present and who they brought,
and consent coverage (how many of those who came grant each scope now).

Disclosure control: for everyone but admins (and the operator), a count from 1 to ``k - 1``
(``k`` is the project setting ``disclosure_k``) is shown as "fewer than k", and more cells are
hidden until the hidden ones cannot be worked out from the total (the one rule of
:func:`mobilise.analysis.engagement.hide_small`). Only people whose consent to take part
stands are counted; the others are counted apart, as one controlled number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mobilise.model.engagement_vocab import (
    AGE_BANDS,
    BOOLEAN_SCOPES,
    DISABILITY,
    ETHNIC_HIGH_LEVEL,
    PREFER_NOT_TO_SAY,
    high_level_ethnic_group,
)
from mobilise.model.visibility import Viewer
from mobilise.store.tables import participants, partners, registrations

if TYPE_CHECKING:
    from mobilise.workspace._event_fields import Event
    from mobilise.workspace.core import Workspace

__all__ = ["event_summary", "shown_counts"]

NOT_SAID = {PREFER_NOT_TO_SAY: "Prefer not to say", "": "Not asked"}
NOT_KNOWN = {"": "Not known (no home postcode, or one outside England)"}
DECILES = {str(d): f"Decile {d}" + (" (most deprived)" if d == 1 else "") for d in range(1, 11)}
CONSENT_SCOPES = {
    **BOOLEAN_SCOPES,
    "quote": "Be quoted (named or anonymously)",
    "share_partners": "Share pseudonymised data with named partners",
}


def shown_counts(counts: Mapping[str, int], k: int, *, controlled: bool) -> dict[str, str]:
    """Each count as shown: when ``controlled``, the counts that
    :func:`~mobilise.analysis.engagement.hide_small` hides (1 to k - 1, and more until the
    hidden ones cannot be worked out from the total) as "fewer than k" or "hidden"."""
    out = {key: f"{value:,}" for key, value in counts.items()}
    if not controlled or k <= 1:
        return out
    from mobilise.analysis.engagement import hide_small

    keys = list(counts)
    for key, hidden in zip(keys, hide_small([counts[key] for key in keys], k), strict=True):
        if hidden:
            out[key] = f"fewer than {k}" if counts[key] < k else "hidden (small numbers)"
    return out


def _group(
    values: Iterable[str],
    labels: Mapping[str, str],
    k: int,
    controlled: bool,
    missing: Mapping[str, str] = NOT_SAID,
) -> list[dict[str, Any]]:
    counts = Counter(values)
    every = {**labels, **missing}
    tally = {code: counts.get(code, 0) for code in every}
    shown = shown_counts(tally, k, controlled=controlled)
    return [
        {"code": code, "label": label, "shown": shown[code]}
        for code, label in every.items()
        if tally[code] or code not in missing
    ]


def event_summary(ws: Workspace, event: Event, *, viewer: Viewer | None) -> dict[str, Any]:
    """The summary of ``event`` as plain JSON (see the module docstring)."""
    controlled = not (viewer is None or viewer.role == "admin")
    k = int(ws.project_settings.get("disclosure_k"))
    with ws.read() as connection:
        came = connection.execute(
            select(participants, registrations.c.brought_by.label("brought_here"))
            .join(registrations, registrations.c.participant_id == participants.c.id)
            .where(
                registrations.c.event_id == event.id,
                registrations.c.attended_at.is_not(None),
                registrations.c.status != "cancelled",
                registrations.c.deleted_at.is_(None),
            )
        ).all()
        partner_names = dict(connection.execute(select(partners.c.id, partners.c.name)).all())
    taking_part = ws.consent.permitted("take_part")
    left_out = sum(1 for row in came if row.id not in taking_part)
    came = [row for row in came if row.id in taking_part]
    ids = [row.id for row in came]
    states = ws.consent.state(ids)
    groups = _groups(came, k, controlled)
    brought = Counter(
        row.brought_here or row.brought_by for row in came if row.brought_here or row.brought_by
    )
    brought_shown = shown_counts(
        {p["id"]: brought.get(p["id"], 0) for p in event.partners}, k, controlled=controlled
    )
    coverage = {
        scope: sum(1 for pid in ids if pid in states and states[pid].grants(scope))
        for scope in CONSENT_SCOPES
    }
    coverage_shown = shown_counts(coverage, k, controlled=controlled)
    attended = shown_counts({"attended": len(came)}, k, controlled=controlled)["attended"]
    left_out_shown = shown_counts({"left_out": left_out}, k, controlled=controlled)["left_out"]
    return {
        "event": event.to_dict(),
        "controlled": controlled,
        "k": k,
        "attended": attended,
        "left_out": left_out_shown,  # came, but their consent to take part does not stand
        "groups": {name: {"label": label, "rows": rows} for name, (label, rows) in groups.items()},
        "partners": [
            {
                "id": p["id"],
                "name": partner_names.get(p["id"], p["name"]),
                "role": p["role"],
                "brought": brought_shown[p["id"]],
            }
            for p in event.partners
        ],
        "consent": [
            {"scope": scope, "label": label, "shown": coverage_shown[scope]}
            for scope, label in CONSENT_SCOPES.items()
        ],
    }


def _groups(
    came: Sequence[Any], k: int, controlled: bool
) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Who came, by age band, IMD decile, Core20, high-level ethnic group and disability."""
    return {
        "age_band": (
            "Age band",
            _group((row.age_band or "" for row in came), AGE_BANDS, k, controlled),
        ),
        "imd_decile": (
            "Deprivation of home area (IMD 2019 decile)",
            _group(
                (str(row.imd_decile) if row.imd_decile else "" for row in came),
                DECILES,
                k,
                controlled,
                NOT_KNOWN,
            ),
        ),
        "core20": (
            "Core20: most deprived 20% of areas in England",
            _group(
                (
                    ("core20" if row.imd_decile <= 2 else "other") if row.imd_decile else ""
                    for row in came
                ),
                {"core20": "In the most deprived 20%", "other": "Not in the most deprived 20%"},
                k,
                controlled,
                NOT_KNOWN,
            ),
        ),
        "ethnic_group": (
            "Ethnic group (high level)",
            _group(
                (
                    high_level_ethnic_group(row.ethnic_group) if row.ethnic_group else ""
                    for row in came
                ),
                ETHNIC_HIGH_LEVEL,
                k,
                controlled,
            ),
        ),
        "disability": (
            "Disability",
            _group((row.disability or "" for row in came), DISABILITY, k, controlled),
        ),
    }
