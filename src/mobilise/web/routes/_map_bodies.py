"""The JSON bodies of the systems-map API (private to :mod:`mobilise.web.routes.maps`).

No body names a participant: what a change is attributed to is the server's to decide (the
signed-in user's participant on the map). A body that still sends ``participant_id`` is refused
(422), so a client that believes it chooses learns that it does not."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mobilise.model.causal_map import FACTOR_KINDS, STRENGTHS
from mobilise.model.visibility import DEFAULT_VISIBILITY, MAP_VISIBILITIES

_VISIBILITY = "Who may see the map: " + "; ".join(f"{k}: {v}" for k, v in MAP_VISIBILITIES.items())

__all__ = [
    "CommentCreate",
    "FactorCreate",
    "FactorUpdate",
    "Join",
    "LinkCreate",
    "LinkUpdate",
    "MapCreate",
    "MapUpdate",
    "PersonLink",
    "ScenarioBody",
    "SnapshotCreate",
    "VoteCreate",
]


class MapCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    place: str | None = Field(None, description="The place's slug, if the map is about one.")
    question: str = ""
    description: str = ""
    status: str = "draft"
    visibility: str = Field(DEFAULT_VISIBILITY, description=_VISIBILITY)


class MapUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(description="The version you read; a stale version is a 409 Conflict.")
    title: str | None = None
    question: str | None = None
    description: str | None = None
    status: str | None = None
    visibility: str | None = Field(None, description=_VISIBILITY)


class Join(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pseudonym: str = Field(description="The name the participant chose (not their real name).")
    stakeholder_group: str = ""


class FactorFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = None
    kind: str | None = Field(None, description=f"One of {', '.join(FACTOR_KINDS)}.")
    description: str | None = None
    theme: str | None = None
    populations: list[str] | None = None
    indicator_id: str | None = None
    asset_category: str | None = None
    x: float | None = None
    y: float | None = None
    attributes: dict[str, Any] | None = None


class FactorCreate(FactorFields):
    label: str


class FactorUpdate(FactorFields):
    version: int = Field(description="The version you read; a stale version is a 409 Conflict.")


class LinkFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_id: str | None = None
    target_id: str | None = None
    polarity: str | None = Field(None, description="+, - or ?")
    strength: str | None = Field(None, description=f"One of {', '.join(STRENGTHS)}.")
    weight: float | None = Field(None, description="-1 to 1; its sign is the polarity.")
    delay: bool | None = None
    confidence: float | None = Field(None, description="0 to 1.")
    evidence: str | None = None
    stakeholder_group: str | None = None
    contested: bool | None = None
    label: str | None = None
    attributes: dict[str, Any] | None = None


class LinkCreate(LinkFields):
    source_id: str
    target_id: str


class LinkUpdate(LinkFields):
    version: int = Field(description="The version you read; a stale version is a 409 Conflict.")


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: str = Field(description="factor or link")
    target_id: str
    text: str


class VoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: str = Field(description="factor or link")
    target_id: str
    value: int = Field(description="+1 agree, -1 disagree, 0 take the vote back")


class SnapshotCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = ""


class ScenarioBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clamps: dict[str, float] = Field(description="Factor id or label -> value held (-1 to 1).")
    rule: str = "kosko"
    transfer: str = "sigmoid"


class PersonLink(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person: str | None = Field(
        max_length=40,
        description="The participant (id or pseudonym code) of the participants register this "
        "map participant is; null unlinks. When that person withdraws taking part, what they "
        "gave on the map (comments, votes, their name on factors and links) is left out.",
    )
