"""mobilise participants: people under pseudonyms, their identities apart, the consent ledger,
information sheets and the project's settings.

The command line is the operator's: it reads and erases identities (as an admin would).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mobilise.cli._common import JsonOpt, Table, console, parse_day, print_json, state
from mobilise.errors import Problem, ValidationError

if TYPE_CHECKING:
    from mobilise.workspace import Workspace

app = typer.Typer(
    help="Participants of co-production (pseudonyms; identity apart), consent and "
    "information sheets.",
    no_args_is_help=True,
)
sheets = typer.Typer(help="Information sheets: stored, versioned documents.", no_args_is_help=True)
app.add_typer(sheets, name="sheets")

ParticipantArg = Annotated[str, typer.Argument(help="The participant's pseudonym code or id.")]
AnswerOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--answer",
        help="QUESTION=ANSWER, e.g. age_band=25_34 or sex=prefer_not_to_say (repeat); "
        "questions: age_band, sex, gender_identity, ethnic_group, disability, carer, "
        "young_person.",
    ),
]
GroupOpt = Annotated[
    list[str] | None, typer.Option("--lived-experience", help="A lived-experience group code.")
]
MethodOpt = Annotated[str, typer.Option(help="paper, online or verbal (with --witness).")]
WitnessOpt = Annotated[str, typer.Option(help="The witness of a verbal consent.")]
NameOpt = Annotated[str | None, typer.Option(help="Their name (kept apart).")]
EmailOpt = Annotated[str | None, typer.Option(help="Their e-mail (kept apart).")]
PhoneOpt = Annotated[str | None, typer.Option(help="Their phone (kept apart).")]
GuardianOpt = Annotated[str | None, typer.Option(help="A parent or guardian's name.")]
GuardianContactOpt = Annotated[str | None, typer.Option(help="The parent or guardian's contact.")]


def _answers(pairs: list[str] | None) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    problems = []
    for pair in pairs or []:
        question, sep, answer = pair.partition("=")
        if not sep:
            problems.append(Problem(f"{pair!r}: write QUESTION=ANSWER", field="answer"))
        found[question.strip()] = answer.strip() or None
    if problems:
        raise ValidationError("Cannot read the answers.", problems=problems)
    return found


@app.command("list")
def list_participants(
    ctx: typer.Context,
    place: Annotated[str | None, typer.Option(help="Only this place (slug).")] = None,
    search: Annotated[str | None, typer.Option(help="Part of a pseudonym code.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (1-500).")] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many (newest first).")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """List participants by pseudonym, newest first, with consent now and events attended."""
    with state(ctx).open(create=False) as ws:
        page = ws.participants.page(place=place, search=search, limit=limit, offset=offset)
        ids = [p.id for p in page.items]
        states = ws.consent.state(ids)
        attended = ws.participants.attendance_counts(ids)
    if as_json:
        print_json(
            {
                "total": page.total,
                "items": [
                    {
                        **p.to_dict(),
                        "consent": states[p.id].to_dict() if p.id in states else None,
                        "events_attended": attended.get(p.id, 0),
                    }
                    for p in page.items
                ],
            }
        )
        return
    table = Table("code", "place", "area", "IMD decile", "consent now", "events")
    for p in page.items:
        now = states.get(p.id)
        table.add_row(
            p.code,
            p.place or "",
            p.lsoa11_code or "",
            str(p.imd_decile or ""),
            ", ".join(now.granted()) if now else "none recorded",
            str(attended.get(p.id, 0)),
        )
    console.print(table)
    console.print(f"{len(page.items)} of {page.total} participants.")


@app.command("show")
def show(ctx: typer.Context, participant: ParticipantArg, as_json: JsonOpt = False) -> None:
    """A participant's record, consent now, ledger, events and identity."""
    with state(ctx).open(create=False) as ws:
        person = ws.participants.get(participant)
        found = {
            **person.to_dict(),
            "consent": _consent(ws, person.id),
            "events": [a.to_dict() for a in ws.participants.attended(person.id)],
            "identity": _identity(ws, person.id),
        }
    if as_json:
        print_json(found)
        return
    console.print(
        f"[bold]{person.code}[/] · {person.place or 'no place'} · area "
        f"{person.lsoa11_code or '?'} · IMD decile {person.imd_decile or '?'}"
    )
    answered = {q: a for q, a in person.answers.items() if a is not None}
    console.print("Answers: " + (", ".join(f"{q}={a}" for q, a in answered.items()) or "none"))
    now = found["consent"]["state"]
    console.print("Consent now: " + (", ".join(now["granted"]) if now else "none recorded"))
    for record in found["consent"]["ledger"]:
        console.print(
            f"  {record['at'][:16]} {record['kind']} {record['method']} {record['scopes']}"
        )
    console.print(f"Events: {len(found['events'])}")
    identity = found["identity"]
    console.print("Identity: " + ((identity["name"] or "(no name)") if identity else "none held"))


def _consent(ws: Workspace, participant_id: str) -> dict[str, Any]:
    now = ws.consent.state([participant_id]).get(participant_id)
    return {
        "state": now.to_dict() if now else None,
        "ledger": [r.to_dict() for r in ws.consent.ledger(participant_id)],
    }


def _identity(ws: Workspace, participant_id: str) -> dict[str, Any] | None:
    found = ws.participants.identity(participant_id)
    return found.to_dict() if found else None


@app.command("add")
def add(
    ctx: typer.Context,
    place: Annotated[str | None, typer.Option(help="The place (slug).")] = None,
    postcode: Annotated[str | None, typer.Option(help="Home postcode (becomes area, IMD).")] = None,
    keep_postcode: Annotated[bool, typer.Option(help="Keep the full postcode.")] = False,
    answer: AnswerOpt = None,
    lived_experience: GroupOpt = None,
    under_16: Annotated[bool, typer.Option("--under-16", help="Under 16.")] = False,
    brought_by: Annotated[str | None, typer.Option(help="The partner who brought them.")] = None,
    name: NameOpt = None,
    email: EmailOpt = None,
    phone: PhoneOpt = None,
    guardian_name: GuardianOpt = None,
    guardian_contact: GuardianContactOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a participant: they get a pseudonym code."""
    identity = {
        "name": name,
        "email": email,
        "phone": phone,
        "guardian_name": guardian_name,
        "guardian_contact": guardian_contact,
    }
    with state(ctx).open() as ws:
        person = ws.participants.add(
            place=place,
            postcode=postcode,
            keep_postcode=keep_postcode,
            answers=_answers(answer),
            lived_experience=lived_experience or [],
            under_16=under_16,
            brought_by=brought_by,
            identity=identity,
        )
    if as_json:
        print_json(person.to_dict())
    else:
        console.print(f"Added participant [bold]{person.code}[/].")


@app.command("edit")
def edit(
    ctx: typer.Context,
    participant: ParticipantArg,
    answer: AnswerOpt = None,
    lived_experience: GroupOpt = None,
    brought_by: Annotated[str | None, typer.Option(help="The partner who brought them.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change answers (QUESTION= with nothing after clears one), groups or who brought them."""
    if not (answer or lived_experience is not None or brought_by):
        raise typer.BadParameter("Say what to change: --answer, --lived-experience, --brought-by.")
    with state(ctx).open(create=False) as ws:
        person = ws.participants.update(
            participant,
            answers=_answers(answer),
            lived_experience=lived_experience,
            brought_by=brought_by,
        )
    if as_json:
        print_json(person.to_dict())
    else:
        console.print(f"Updated {person.code}.")


@app.command("identity")
def identity(
    ctx: typer.Context,
    participant: ParticipantArg,
    name: NameOpt = None,
    email: EmailOpt = None,
    phone: PhoneOpt = None,
    postcode: Annotated[str | None, typer.Option(help="The full postcode, to keep.")] = None,
    guardian_name: GuardianOpt = None,
    guardian_contact: GuardianContactOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show who a participant is, or change it (the options given)."""
    changes = {
        "name": name,
        "email": email,
        "phone": phone,
        "postcode": postcode,
        "guardian_name": guardian_name,
        "guardian_contact": guardian_contact,
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    with state(ctx).open(create=False) as ws:
        if changes:
            ws.participants.set_identity(participant, changes)
        found = ws.participants.identity(participant)
        erased = ws.participants.identity_erased_at(participant)
    if as_json:
        print_json(
            {
                "identity": found.to_dict() if found else None,
                "erased_at": erased.isoformat() if erased and not found else None,
            }
        )
    elif found is None:
        console.print(f"Identity erased on {erased:%d %B %Y}." if erased else "No identity held.")
    else:
        for key, value in found.to_dict().items():
            if key != "participant_id":
                console.print(f"{key}: {value or ''}", highlight=False)


@app.command("erase-identity")
def erase_identity(
    ctx: typer.Context,
    participant: ParticipantArg,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask to confirm.")] = False,
) -> None:
    """Erase who a participant is (the pseudonymous record and ledger stay)."""
    if not yes:
        typer.confirm(f"Erase the identity of {participant} for good?", abort=True)
    with state(ctx).open(create=False) as ws:
        erased = ws.participants.erase_identity(participant)
    console.print("Identity erased." if erased else "No identity was held; the erasure is noted.")


@app.command("consent")
def consent(
    ctx: typer.Context,
    participant: ParticipantArg,
    sheet: Annotated[str, typer.Option(help="The information sheet's id (required).")] = "",
    method: MethodOpt = "paper",
    grant: Annotated[
        list[str] | None,
        typer.Option(
            help="A scope granted: take_part, photos, audio, video, recontact, archive (repeat)."
        ),
    ] = None,
    quote: Annotated[str, typer.Option(help="named, anonymous or none.")] = "none",
    share_with: Annotated[
        list[str] | None, typer.Option(help="A partner id that may receive their data.")
    ] = None,
    witness: WitnessOpt = "",
    guardian: Annotated[bool, typer.Option(help="Given by a parent or guardian.")] = False,
    note: Annotated[str, typer.Option(help="A note.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Record a consent against an information sheet (scopes not granted are refused)."""
    from mobilise.workspace.consent import scopes_ticked

    scopes = scopes_ticked(grant or [], quote=quote, share_partners=share_with or [])
    with state(ctx).open(create=False) as ws:
        record = ws.consent.give(
            participant,
            information_sheet=sheet or None,
            method=method,
            scopes=scopes,
            witness=witness,
            guardian=guardian,
            note=note,
        )
    if as_json:
        print_json(record.to_dict())
    else:
        console.print(
            f"Consent recorded ({', '.join(s for s, g in record.scopes.items() if g and g != 'none')})."
        )


@app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    participant: ParticipantArg,
    scope: Annotated[list[str], typer.Option(help="A scope withdrawn, or 'all' (repeat).")],
    method: MethodOpt = "paper",
    cut_off: Annotated[str | None, typer.Option(help="From (YYYY-MM-DD; today).")] = None,
    witness: WitnessOpt = "",
    note: Annotated[str, typer.Option(help="A note.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Record a withdrawal: nothing given under those scopes is shown from the cut-off."""
    with state(ctx).open(create=False) as ws:
        record = ws.consent.withdraw(
            participant,
            scopes=scope,
            method=method,
            cut_off=parse_day(cut_off),
            witness=witness,
            note=note,
        )
    if as_json:
        print_json(record.to_dict())
    else:
        console.print(f"Withdrawal recorded: {', '.join(record.scopes)} from {record.cut_off}.")


@app.command("settings")
def settings(
    ctx: typer.Context,
    key: Annotated[str | None, typer.Argument(help="A setting's name.")] = None,
    value: Annotated[
        str | None, typer.Argument(help="Its new value (JSON for groups and numbers).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the project's settings, one of them, or set one (lived_experience, retention,
    payment_warning_pence, disclosure_k)."""
    with state(ctx).open(create=False) as ws:
        if value is not None and key is not None:
            ws.project_settings.set(key, _json_or_text(value))
        shown = ws.project_settings.all() if key is None else {key: ws.project_settings.get(key)}
    if as_json:
        print_json(shown)
        return
    for name, current in shown.items():
        console.print(f"{name}: {json.dumps(current, ensure_ascii=False)}", highlight=False)


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


@sheets.command("list")
def list_sheets(
    ctx: typer.Context,
    audience: Annotated[str | None, typer.Option(help="Only this audience.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the information sheets, newest version first within each title."""
    with state(ctx).open(create=False) as ws:
        found = ws.consent.sheets(audience=audience)
    if as_json:
        print_json([s.to_dict() for s in found])
        return
    table = Table("id", "title", "version", "audience", "published")
    for s in found:
        table.add_row(s.id, s.title, s.sheet_version, s.audience, s.published_on.isoformat())
    console.print(table)


@sheets.command("add")
def add_sheet(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The sheet's title.")],
    version: Annotated[str, typer.Argument(help="Its version, as printed on it.")],
    text: Annotated[
        Path, typer.Argument(help="A text file of the full text.", exists=True, dir_okay=False)
    ],
    audience: Annotated[
        str, typer.Option(help="standard, easy_read, young_people or parent_guardian.")
    ] = "standard",
    published: Annotated[str | None, typer.Option(help="Published on (YYYY-MM-DD).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Store a new version of an information sheet (a stored version never changes)."""
    body = text.read_text(encoding="utf-8-sig")
    with state(ctx).open() as ws:
        sheet = ws.consent.add_sheet(
            title, version, body, audience=audience, published_on=parse_day(published)
        )
    if as_json:
        print_json(sheet.to_dict())
    else:
        console.print(f"Stored {sheet.title} {sheet.sheet_version}: {sheet.id}")
