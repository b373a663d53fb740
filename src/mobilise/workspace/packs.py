"""Evidence packs: a dated, versioned document about a place (or places side by side) for an
ICS board, a community meeting or a funder, as an accessible HTML page and a PDF made from it.

A pack is made of sections, each from a provider (``_pack_place``: population, deprivation,
health against England, access and priority neighbourhoods, assets per 1,000 residents;
``_pack_people``: the partnership, who took part, "you said, we did", and the drivers of
disparities and the place comparison when the workspace has those services). The audience
chooses the sections (:data:`AUDIENCES`); a community pack is written in plain words. The
pack opens with each section's key fact, then maps, charts and tables, each with its source,
date, licence and method.

Every count of people is disclosure-controlled with the project's ``disclosure_k``, and
nothing from a withdrawn consent is read (see ``_pack_people``). The manifest records what the
pack was made from (the place, the places compared, the audience, each section's inputs: data
versions, run ids; the settings and library versions), and :meth:`PackService.rebuild` makes
the pack again from it. Packs are listed, downloaded, and shared by a link that can be
withdrawn (then it answers 404).

A *programme* pack (:meth:`PackService.submit_programme`) is about the programme rather than a
place: its sections come from ``ws.programme``'s synthesis of the projects' packages
(``_pack_programme``), its audience is ``"programme"`` and it has no place.
"""

from __future__ import annotations

import builtins
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select, update

from mobilise.errors import MobiliseError, NotFound, Problem, ValidationError
from mobilise.store.records import insert_record, now, soft_delete_record, update_record
from mobilise.store.tables import evidence_packs
from mobilise.workspace._common import Progress, no_progress
from mobilise.workspace._files import FileTarget, write_bytes
from mobilise.workspace._pack_parts import AUDIENCES, PackContext, Section
from mobilise.workspace._pack_programme import AUDIENCE as PROGRAMME_AUDIENCE
from mobilise.workspace._pack_programme import PROGRAMME

if TYPE_CHECKING:
    from mobilise.workspace._job_kinds import JobContext, Prepared
    from mobilise.workspace.core import Workspace

__all__ = ["AUDIENCES", "MAX_COMPARED", "PROGRAMME", "Pack", "PackService"]

ENTITY = "evidence pack"
MAX_COMPARED = 3  # places beside the pack's own place
_BULKY = ("html", "pdf")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pack:
    """A pack as listed: what it is about, its state, and whether it is shared."""

    id: str
    place: str  # "" for a programme pack
    compare: list[str]
    audience: str
    number: int
    title: str
    status: str  # queued, running, done, failed
    error: str
    pages: int | None
    created_at: datetime
    created_by: str
    built_at: datetime | None
    job_id: str | None
    share_token: str | None
    shared_at: datetime | None
    version: int
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def shared(self) -> bool:
        return self.share_token is not None

    def to_dict(self, *, with_token: bool = True) -> dict[str, Any]:
        return {
            "id": self.id,
            "place": self.place,
            "compare": self.compare,
            "audience": self.audience,
            "audience_label": _audience(self.audience)["label"],
            "number": self.number,
            "title": self.title,
            "status": self.status,
            "error": self.error,
            "pages": self.pages,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "built_at": self.built_at.isoformat() if self.built_at else None,
            "job_id": self.job_id,
            "shared": self.shared,
            "share_token": self.share_token if with_token else None,
            "shared_at": self.shared_at.isoformat() if self.shared_at else None,
            "version": self.version,
        }


def _pack(row: Any) -> Pack:
    return Pack(
        id=row.id,
        place=row.place_slug or "",
        compare=list(row.compare or []),
        audience=row.audience,
        number=row.number,
        title=row.title,
        status=row.status,
        error=row.error,
        pages=row.pages,
        created_at=row.created_at,
        created_by=row.created_by,
        built_at=row.built_at,
        job_id=row.job_id,
        share_token=row.share_token,
        shared_at=row.shared_at,
        version=row.version,
        manifest=dict(row.manifest or {}),
    )


def _audience(audience: str) -> dict[str, Any]:
    """An audience's label, title words and sections (the programme's too)."""
    return PROGRAMME_AUDIENCE if audience == PROGRAMME else AUDIENCES[audience]


def _providers() -> dict[str, Any]:
    from mobilise.workspace import _pack_people as people
    from mobilise.workspace import _pack_place as place

    return {
        "population": place.population_facts,
        "deprivation": place.deprivation,
        "health": place.health,
        "access": place.access,
        "assets": place.assets_per_thousand,
        "drivers": people.drivers,
        "comparison": people.comparison,
        "partnership": people.partnership,
        "engagement": people.engagement,
        "you_said": people.you_said,
    }


class PackService:
    """Build, list, download, share and withdraw evidence packs (see the module docstring)."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- building ------------------------------------------------------------------------------
    def start(self, place: str, *, compare: Sequence[str] = (), audience: str = "board") -> Pack:
        """Save a queued pack (checked: the places exist, the audience is known);
        :meth:`execute` makes it."""
        compare = self._checked(place, compare, audience)
        names = self._ws.places.names()
        title = " and ".join(names[s] for s in [place, *compare])
        title += f": evidence for {AUDIENCES[audience]['for']}"
        return self._queued(place, compare, audience, title)

    def _queued(
        self, place: str | None, compare: builtins.list[str], audience: str, title: str
    ) -> Pack:
        """Save a queued pack, numbered after the others of its place and audience."""
        with self._ws.write() as connection:
            number = connection.execute(
                select(func.count()).where(
                    evidence_packs.c.place_slug.is_(None)
                    if place is None
                    else evidence_packs.c.place_slug == place,
                    evidence_packs.c.audience == audience,
                )
            ).scalar_one()
            row = insert_record(
                connection,
                evidence_packs,
                {
                    "place_slug": place,
                    "compare": compare,
                    "audience": audience,
                    "number": int(number) + 1,
                    "title": title,
                    "status": "queued",
                    "error": "",
                    "manifest": {},
                },
                actor=self._ws.actor,
                entity_type=ENTITY,
                omit_from_audit=_BULKY,
            )
        return self.get(row["id"])

    def build(
        self,
        place: str,
        *,
        compare: Sequence[str] = (),
        audience: str = "board",
        progress: Progress = no_progress,
    ) -> Pack:
        """Make a pack now, in this thread (the CLI; Python)."""
        return self.execute(self.start(place, compare=compare, audience=audience).id, progress)

    def submit(self, place: str, *, compare: Sequence[str] = (), audience: str = "board") -> Pack:
        """Save a queued pack and the job that makes it, together; ``job_id`` names the job."""
        with self._ws.write() as connection:
            pack = self.start(place, compare=compare, audience=audience)
            self._with_job(connection, pack)
        return self.get(pack.id)

    def _with_job(self, connection: Connection, pack: Pack) -> None:
        """Submit the job that makes ``pack`` (in the transaction that saved it)."""
        job = self._ws.jobs.submit("packs.build", {"pack_id": pack.id, "place": pack.place})
        connection.execute(
            update(evidence_packs).where(evidence_packs.c.id == pack.id).values(job_id=job.id)
        )

    def submit_programme(self) -> Pack:
        """Save a queued programme pack and the job that makes it, together."""
        with self._ws.write() as connection:
            pack = self._start_programme()
            self._with_job(connection, pack)
        return self.get(pack.id)

    def build_programme(self, *, progress: Progress = no_progress) -> Pack:
        """Make a programme pack now, in this thread (the CLI; Python)."""
        return self.execute(self._start_programme().id, progress)

    def _start_programme(self) -> Pack:
        title = "The programme: evidence across its projects"
        return self._queued(None, [], PROGRAMME, title)

    def job(self, context: JobContext) -> Prepared:
        """What the ``packs.build`` job runs: the pack stores itself as it is made (like an
        access run), so the job keeps its summary only."""
        from mobilise.workspace._job_kinds import _Done

        pack = self.execute(context.params["pack_id"], context.progress)
        return _Done(pack.to_dict(with_token=False))

    def rebuild(self, pack_id: str, progress: Progress = no_progress) -> Pack:
        """A new version of a pack from its manifest (the same place, places and audience,
        on today's data)."""
        old = self.get(pack_id)
        if old.audience == PROGRAMME:
            return self.build_programme(progress=progress)
        return self.build(old.place, compare=old.compare, audience=old.audience, progress=progress)

    def execute(self, pack_id: str, progress: Progress = no_progress) -> Pack:
        """Make a saved pack: its sections, page, PDF and manifest (stored together). A failure
        is stored with the pack (``failed`` and the reason) and raised."""
        from mobilise.workspace import _pack_render as render

        pack = self.get(pack_id)
        if pack.status == "done":
            return pack
        self._set(pack_id, status="running")
        keys = _audience(pack.audience)["sections"]
        total = len(keys) + 2
        try:
            sections = self._sections(pack, keys, progress, total)
            progress("Laying out the page", len(keys), total)
            k = self._k()
            built_at = now()
            html = render.render_html(
                sections,
                title=pack.title,
                subtitle=self._subtitle(pack),
                made_on=f"{built_at:%d %B %Y}".lstrip("0"),
                number=pack.number,
                pack_id=pack.id,
                k=k,
                plain=pack.audience == "community",
            )
            progress("Making the PDF", len(keys) + 1, total)
            pdf, pages = render.render_pdf(html, title=pack.title)
            manifest = self._manifest(pack, sections, k, built_at)
        except Exception as error:
            message = (
                str(error)
                if isinstance(error, MobiliseError)
                else (f"The pack stopped on an unexpected error ({type(error).__name__}: {error}).")
            )
            if not isinstance(error, MobiliseError):
                _log.exception("Evidence pack %s failed", pack_id)
            self._set(pack_id, status="failed", error=message)
            raise
        self._set(
            pack_id,
            status="done",
            html=html.encode("utf-8"),
            pdf=pdf,
            pages=pages,
            manifest=manifest,
            built_at=built_at,
        )
        progress("Done", total, total)
        return self.get(pack_id)

    def _sections(
        self, pack: Pack, keys: Sequence[str], progress: Progress, total: int
    ) -> builtins.list[Section]:
        if pack.audience == PROGRAMME:
            from mobilise.workspace import _pack_programme

            return _pack_programme.sections(self._ws, tuple(keys), progress, total)
        providers = _providers()
        context = PackContext(self._ws, pack.place, pack.compare, pack.audience, self._k())
        sections = []
        for done, key in enumerate(keys):
            if key == "comparison" and not pack.compare:
                continue
            progress(f"Section: {key}", done, total)
            sections.append(providers[key](context))
        return sections

    def _subtitle(self, pack: Pack) -> str:
        if pack.audience == "community":
            return "What the figures say about where we live, for a community meeting."
        if pack.audience == PROGRAMME:
            return "What the programme's projects shared, side by side, for the programme team."
        return f"An evidence pack for {AUDIENCES[pack.audience]['for']}."

    def _manifest(
        self, pack: Pack, sections: Sequence[Section], k: int, built_at: datetime
    ) -> dict[str, Any]:
        from importlib.metadata import version

        from mobilise import __version__

        return {
            "format": 1,
            "pack": pack.id,
            "number": pack.number,
            "place": pack.place,
            "compare": pack.compare,
            "audience": pack.audience,
            "made_at": built_at.isoformat(),
            "settings": {"disclosure_k": k},
            "sections": [s.manifest() for s in sections],
            "datasets": {d.id: d.version for d in self._ws.datasets.list()},
            "software": {
                "mobilise": __version__,
                "weasyprint": version("weasyprint"),
                "schema_revision": self._ws.schema_revision,
            },
            "rebuild": f"mobilise pack rebuild {pack.id}",
        }

    # -- reading -------------------------------------------------------------------------------
    def get(self, pack_id: str) -> Pack:
        with self._ws.read() as connection:
            row = connection.execute(
                select(*_listed()).where(evidence_packs.c.id == pack_id)
            ).first()
        if row is None or row.deleted_at is not None:
            raise NotFound(f"No evidence pack {pack_id!r}. See `mobilise pack list`.")
        return _pack(row)

    def list(self, place: str | None = None, *, limit: int = 100) -> builtins.list[Pack]:
        """Packs not withdrawn, newest first (of ``place`` when given, as its own place or
        one compared)."""
        query = select(*_listed()).where(evidence_packs.c.deleted_at.is_(None))
        if place is not None:
            self._ws.places.get(place)
        with self._ws.read() as connection:
            rows = connection.execute(query.order_by(evidence_packs.c.created_at.desc())).all()
        found = [_pack(r) for r in rows]
        if place is not None:
            found = [p for p in found if place == p.place or place in p.compare]
        return found[:limit]

    def list_programme(self, *, limit: int = 100) -> builtins.list[Pack]:
        """Programme packs not withdrawn, newest first."""
        query = select(*_listed()).where(
            evidence_packs.c.deleted_at.is_(None), evidence_packs.c.audience == PROGRAMME
        )
        with self._ws.read() as connection:
            rows = connection.execute(query.order_by(evidence_packs.c.created_at.desc())).all()
        return [_pack(r) for r in rows][:limit]

    def manifest(self, pack_id: str) -> dict[str, Any]:
        return self.get(pack_id).manifest

    def html(self, pack_id: str, *, standalone: bool = False, pdf_link: str | None = None) -> str:
        """The pack's page (``standalone``: stylesheet and fonts inlined, to read offline;
        ``pdf_link``: where the page's reader downloads the PDF, shown at its top)."""
        from mobilise.workspace import _pack_render as render

        page = self._bulky(pack_id, "html").decode("utf-8")
        if pdf_link:
            page = render.with_pdf_link(page, pdf_link)
        return render.standalone(page) if standalone else page

    def pdf(self, pack_id: str) -> bytes:
        return self._bulky(pack_id, "pdf")

    def save(self, pack_id: str, target: FileTarget, *, format: str | None = None) -> int:
        """Write the pack's PDF (or its stand-alone page: ``format="html"`` or a ``.html``
        path) to ``target``; returns the bytes written."""
        name = str(getattr(target, "name", target))
        chosen = format or ("html" if name.lower().endswith((".html", ".htm")) else "pdf")
        if chosen not in ("pdf", "html"):
            raise ValidationError(
                f"A pack is saved as pdf or html, not {chosen!r}.",
                problems=[Problem("pdf or html", field="format")],
            )
        data = (
            self.pdf(pack_id)
            if chosen == "pdf"
            else self.html(pack_id, standalone=True).encode("utf-8")
        )
        write_bytes(target, data, name=f"pack.{chosen}")
        return len(data)

    # -- sharing and withdrawing ---------------------------------------------------------------
    def share(self, pack_id: str) -> str:
        """A share link's token for the pack (the same one while it stands)."""
        pack = self.get(pack_id)
        if pack.status != "done":
            raise ValidationError(
                f"Pack {pack_id} is {pack.status}: only a finished pack can be shared.",
                problems=[Problem("wait for the pack to finish", field="pack")],
            )
        if pack.share_token:
            return pack.share_token
        token = secrets.token_urlsafe(24)
        with self._ws.write() as connection:
            self._update(connection, pack_id, share_token=token, shared_at=now())
        return token

    def unshare(self, pack_id: str) -> Pack:
        """Withdraw the pack's share link: the link answers 404 from now on."""
        self.get(pack_id)
        with self._ws.write() as connection:
            self._update(connection, pack_id, share_token=None, share_withdrawn_at=now())
        return self.get(pack_id)

    def by_token(self, token: str) -> Pack:
        """The pack a share link names (NotFound when withdrawn, or the pack is)."""
        with self._ws.read() as connection:
            row = connection.execute(
                select(*_listed()).where(evidence_packs.c.share_token == token)
            ).first()
        if not token or row is None or row.deleted_at is not None or row.status != "done":
            raise NotFound("No evidence pack at this link: it was withdrawn, or never existed.")
        return _pack(row)

    def withdraw(self, pack_id: str) -> None:
        """Withdraw a pack: it leaves the lists and its share link stops working."""
        self.get(pack_id)
        with self._ws.write() as connection:
            self._update(connection, pack_id, share_token=None, share_withdrawn_at=now())
            soft_delete_record(
                connection,
                evidence_packs,
                pack_id,
                expected_version=None,
                actor=self._ws.actor,
                entity_type=ENTITY,
            )

    # -- helpers -------------------------------------------------------------------------------
    def _k(self) -> int:
        return int(self._ws.project_settings.get("disclosure_k"))

    def _checked(self, place: str, compare: Sequence[str], audience: str) -> builtins.list[str]:
        problems = []
        if audience not in AUDIENCES:
            problems.append(
                Problem(f"one of {', '.join(AUDIENCES)}, not {audience!r}", field="audience")
            )
        names = self._ws.places.names()
        others = list(dict.fromkeys(c.strip() for c in compare if c.strip()))
        for slug in [place, *others]:
            if slug not in names:
                known = ", ".join(names) or "none yet"
                problems.append(Problem(f"no place {slug!r}; places: {known}", field="place"))
        if place in others:
            problems.append(Problem("a place is not compared with itself", field="compare"))
        if len(others) > MAX_COMPARED:
            problems.append(
                Problem(f"at most {MAX_COMPARED} places to compare with", field="compare")
            )
        if problems:
            raise ValidationError("Cannot make that evidence pack.", problems=problems)
        return others

    def _bulky(self, pack_id: str, column: str) -> bytes:
        self.get(pack_id)
        with self._ws.read() as connection:
            data = connection.execute(
                select(evidence_packs.c[column]).where(evidence_packs.c.id == pack_id)
            ).scalar()
        if data is None:
            raise NotFound(f"Evidence pack {pack_id} is not finished: it has no {column} yet.")
        return bytes(data)

    def _set(self, pack_id: str, **values: Any) -> None:
        with self._ws.write() as connection:
            self._update(connection, pack_id, **values)

    def _update(self, connection: Connection, pack_id: str, **values: Any) -> None:
        update_record(
            connection,
            evidence_packs,
            pack_id,
            values,
            expected_version=None,
            actor=self._ws.actor,
            entity_type=ENTITY,
            omit_from_audit=_BULKY,
        )


def _listed() -> builtins.list[Any]:
    """Every column but the bulky page and PDF."""
    return [c for c in evidence_packs.c if c.name not in _BULKY]
