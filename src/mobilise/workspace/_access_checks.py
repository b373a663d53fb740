"""What an access run needs before it is queued (private to :mod:`mobilise.workspace.access`):
the health indicator of its need rule, with a direction of need, and, for travel on streets,
the place's stored street network of that profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.model.access_plan import AccessPlan
from mobilise.store.tables import indicators

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["check_inputs"]


def check_inputs(
    workspace: Workspace, connection: Connection, place: str, plan: AccessPlan
) -> None:
    """Raise :class:`NotFound` or :class:`ValidationError` when the run cannot be computed."""
    if plan.health_indicator:
        polarity = connection.execute(
            select(indicators.c.polarity).where(indicators.c.id == plan.health_indicator)
        ).scalar_one_or_none()
        if polarity is None:
            raise NotFound(
                f"No indicator {plan.health_indicator!r} for the health need rule. "
                "See `mobilise indicators list`."
            )
        if polarity not in ("higher_is_better", "higher_is_worse"):
            raise ValidationError(
                f"Indicator {plan.health_indicator!r} has {polarity} polarity, so it "
                "cannot say which areas have the greater need; choose an indicator "
                "where higher is better or higher is worse.",
                problems=[
                    Problem("this indicator has no direction of need", field="health_indicator")
                ],
            )
    if plan.on_network:
        try:
            workspace.networks.get(place, plan.travel)
        except NotFound as missing:
            raise ValidationError(
                str(missing), problems=[Problem(str(missing), field="travel")]
            ) from None
