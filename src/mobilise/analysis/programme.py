"""Programme synthesis: many projects' packages, one picture.

A programme (a funder, a national centre, an ICS with many neighbourhood projects) gathers each
project's package (a Frictionless Data Package of non-personal, disclosure-controlled summaries;
:mod:`mobilise.formats.project_package`) and compares them. :func:`synthesise` takes the
packages (anything with ``meta``, ``tables`` and ``public``) and returns a
:class:`ProgrammeSynthesis`: one pandas DataFrame per section, and a plain sentence for each.

Sections
--------
- ``projects``: one row per project, with its places (and the first place's point for a map);
- ``methods``: the project x method matrix in long form, one row per project and method of the
  vocabulary (:data:`~mobilise.model.methods_vocab.METHODS`), with what the project said;
- ``sectors`` and ``partnership``: partners by sector per project; network measures per round
  side by side (density, centralisation) and keeping collaborations: ties kept, faded and new,
  and retention (the share of the previous round's ties kept);
- ``reach``: representation pooled by dimension (IMD decile, age band, ...) and group;
- ``themes``: codebooks matched across projects by label and definition (shared and distinct,
  enablers and barriers);
- ``outcomes``: actions per project and their "you said, we did" closure;
- ``access``: each project's access and gradient headlines (SII, RII);
- ``assets`` and ``events``: counts by category and place, and by kind.

Disclosure control of the pooled reach
--------------------------------------
Each project's package is already disclosure-controlled. Pooling adds two risks, and both are
closed: a pooled cell can itself be small (so pooled cells of 1 to k-1 are hidden, with
secondary suppression within the dimension, as :mod:`mobilise.analysis.engagement` does for one
project), and two releases of one project can be subtracted to find one person (so the figure
the programme uses for a project's cell moves only when that cell changed by at least k since
the figure last used: :func:`hold_reach`, whose result the workspace keeps per project and
cell). The same holds for a project's totals. ``synthesise(..., held=...)`` pools those held
figures; without them it pools the packages' own figures.

``public_only=True`` leaves out every resource a project did not mark public.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from mobilise.analysis._checks import json_records
from mobilise.analysis._programme_reach import HELD_COLUMNS, hold_reach, pool_reach
from mobilise.analysis._programme_themes import match_themes
from mobilise.analysis._programme_words import section_words
from mobilise.model.methods_vocab import METHODS, method_label
from mobilise.model.programme_vocab import SECTIONS

__all__ = [
    "HELD_COLUMNS",
    "SECTIONS",
    "PackageLike",
    "ProgrammeSynthesis",
    "hold_reach",
    "synthesise",
]

_CLOSED = frozenset({"done", "closed", "complete", "completed"})


class PackageLike(Protocol):
    """What the synthesis reads of a project package (:class:`ProjectPackage` has it)."""

    @property
    def meta(self) -> dict[str, Any]: ...
    @property
    def tables(self) -> dict[str, pd.DataFrame]: ...
    @property
    def public(self) -> dict[str, bool]: ...


@dataclass(frozen=True)
class ProgrammeSynthesis:
    """The programme's sections, each a DataFrame, and a plain-language sentence for each."""

    projects: pd.DataFrame
    methods: pd.DataFrame
    sectors: pd.DataFrame
    partnership: pd.DataFrame
    reach: pd.DataFrame
    themes: pd.DataFrame
    outcomes: pd.DataFrame
    access: pd.DataFrame
    assets: pd.DataFrame
    events: pd.DataFrame
    words: dict[str, str] = field(default_factory=dict)
    k: int = 3
    public_only: bool = False

    def section(self, name: str) -> pd.DataFrame:
        """One section's frame by name (one of :data:`SECTIONS`)."""
        if name not in SECTIONS:
            raise KeyError(name)
        frame: pd.DataFrame = getattr(self, name)
        return frame

    def to_dict(self, sections: Sequence[str] = SECTIONS) -> dict[str, Any]:
        """Plain JSON: ``{section: rows, ..., "words": {...}, "k": k, "public_only": ...}``."""
        found: dict[str, Any] = {name: json_records(self.section(name)) for name in sections}
        found["words"] = {name: self.words.get(name, "") for name in sections}
        found["k"] = self.k
        found["public_only"] = self.public_only
        return found


def _records(package: PackageLike, name: str, public_only: bool) -> list[dict[str, Any]] | None:
    """A resource's rows as dicts: from ``package.records(name)`` when the package has it (a
    stored package, whose tables need not become frames one by one), else from its table."""
    if public_only and not package.public.get(name, False):
        return None
    records = getattr(package, "records", None)
    if callable(records):
        found: list[dict[str, Any]] | None = records(name)
        return found
    table = package.tables.get(name)
    return None if table is None else json_records(table)


def _tagged(
    packages: Sequence[PackageLike], name: str, public_only: bool, columns: Sequence[str]
) -> pd.DataFrame:
    """Every project's ``name`` resource, each row tagged with its project's key and title."""
    rows = []
    for package in packages:
        key, title = str(package.meta.get("key", "")), _title(package)
        for record in _records(package, name, public_only) or []:
            rows.append([key, title, *(record.get(column) for column in columns)])
    return pd.DataFrame(rows, columns=["project", "title", *columns])


def _title(package: PackageLike) -> str:
    return str(package.meta.get("title") or package.meta.get("key") or "")


def _projects(packages: Sequence[PackageLike]) -> pd.DataFrame:
    rows = []
    for package in packages:
        meta = package.meta
        places = [dict(p) for p in meta.get("places") or [] if isinstance(p, Mapping)]
        located = next(
            (p for p in places if p.get("lat") is not None and p.get("lon") is not None), None
        )
        used = sum(bool(r.get("used")) for r in _records(package, "methods", False) or [])
        rows.append(
            {
                "project": str(meta.get("key", "")),
                "title": _title(package),
                "lead_organisation": str(meta.get("lead_organisation") or ""),
                "focus": str(meta.get("focus") or ""),
                "start": meta.get("start"),
                "end": meta.get("end"),
                "metadata_only": bool(meta.get("metadata_only", False)),
                "release": meta.get("release"),
                "released_at": meta.get("released_at"),
                "places": places,
                "place_names": ", ".join(str(p.get("name", "")) for p in places),
                "lat": located.get("lat") if located else None,
                "lon": located.get("lon") if located else None,
                "partner_types": list(meta.get("partner_types") or []),
                "methods_used": used,
                "sources": list(meta.get("sources") or []),
                "note": str(meta.get("note") or ""),
            }
        )
    columns = ["project", "title", "lead_organisation", "focus", "start", "end", "metadata_only",
               "release", "released_at", "places", "place_names", "lat", "lon", "partner_types",
               "methods_used", "sources", "note"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _methods(packages: Sequence[PackageLike], public_only: bool) -> pd.DataFrame:
    """One row per project and method: the vocabulary's, then any other the project named."""
    rows = []
    for package in packages:
        table = _records(package, "methods", public_only)
        said = {
            str(r.get("method")): (bool(r.get("used")), str(r.get("said") or ""))
            for r in table or []
        }
        for method in [*METHODS, *(m for m in said if m not in METHODS)]:
            used, words = said.get(method, (False, ""))
            rows.append(
                {
                    "project": str(package.meta.get("key", "")),
                    "title": _title(package),
                    "method": method,
                    "method_label": method_label(method),
                    "used": used,
                    "said": words,
                    "published": table is not None,
                }
            )
    columns = ["project", "title", "method", "method_label", "used", "said", "published"]
    return pd.DataFrame(rows, columns=columns)


def _outcomes(packages: Sequence[PackageLike], public_only: bool) -> pd.DataFrame:
    actions = _tagged(packages, "actions", public_only, ["status", "count", "closed_with_feedback"])
    columns = ["project", "title", "actions", "done", "closed_with_feedback", "closure_share"]
    if actions.empty:
        return pd.DataFrame(columns=columns)
    actions = actions.assign(
        count=pd.to_numeric(actions["count"], errors="coerce").fillna(0),
        closed_with_feedback=pd.to_numeric(actions["closed_with_feedback"], errors="coerce").fillna(
            0
        ),
        done=lambda f: f["count"].where(f["status"].astype(str).str.casefold().isin(_CLOSED), 0),
    )
    table = (
        actions.groupby(["project", "title"], sort=False)[["count", "done", "closed_with_feedback"]]
        .sum()
        .reset_index()
        .rename(columns={"count": "actions"})
    )
    table["closure_share"] = (
        table["closed_with_feedback"] / table["actions"].where(table["actions"] > 0)
    ).round(3)
    for column in ("actions", "done", "closed_with_feedback"):
        table[column] = table[column].astype(int)
    return table[columns]


def synthesise(
    packages: Sequence[PackageLike],
    *,
    k: int = 3,
    public_only: bool = False,
    held: Mapping[str, pd.DataFrame] | None = None,
) -> ProgrammeSynthesis:
    """The programme's sections from its projects' current packages.

    Parameters
    ----------
    packages
        Each project's current package (``meta``, ``tables``, ``public``), one per project.
    k
        The smallest pooled count shown (the workspace's ``disclosure_k``).
    public_only
        Use only the resources each project marked public (what the public may see).
    held
        ``{project key: held reach figures}`` (:func:`hold_reach`); a project missing from it
        pools its package's own figures.
    """
    ordered = sorted(packages, key=lambda p: (_title(p).casefold(), str(p.meta.get("key"))))
    reach_held: dict[str, pd.DataFrame] = {}
    for package in ordered:
        key = str(package.meta.get("key", ""))
        reach = _records(package, "reach", public_only)
        if reach is None:
            continue
        own = (held or {}).get(key)
        release = int(package.meta.get("release") or 0)
        reach_held[key] = (
            own if own is not None else hold_reach(None, pd.DataFrame(reach), k=k, release=release)
        )
    themes = _tagged(
        ordered, "themes", public_only, ["theme", "definition", "kind", "segments", "contributors"]
    )
    synthesis = ProgrammeSynthesis(
        projects=_projects(ordered),
        methods=_methods(ordered, public_only),
        sectors=_tagged(ordered, "partners", public_only, ["sector", "count"]),
        partnership=_tagged(
            ordered,
            "network_rounds",
            public_only,
            [
                "round",
                "date",
                "partners",
                "ties",
                "density",
                "centralisation",
                "ties_kept",
                "ties_faded",
                "ties_new",
                "retention",
            ],
        ),
        reach=pool_reach(reach_held, k=k),
        themes=match_themes(themes),
        outcomes=_outcomes(ordered, public_only),
        access=_tagged(
            ordered,
            "access",
            public_only,
            [
                "place",
                "category",
                "catchment",
                "unit",
                "measure",
                "sii",
                "rii",
                "gap",
                "areas",
                "low_access_areas",
            ],
        ),
        assets=_tagged(ordered, "assets", public_only, ["place", "category", "count"]),
        events=_tagged(ordered, "events", public_only, ["kind", "count", "contributions"]),
        k=k,
        public_only=public_only,
    )
    object.__setattr__(synthesis, "words", section_words(synthesis))
    return synthesis
