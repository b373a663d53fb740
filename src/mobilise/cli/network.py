"""mobilise network: survey rounds of the partnership and what they show."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from mobilise.cli._common import (
    SECTOR_HELP,
    JsonOpt,
    Table,
    console,
    err_console,
    only_reading,
    parse_day,
    parse_sector,
    print_json,
    state,
)
from mobilise.errors import ValidationError
from mobilise.model.network_words import MEASURES, describe, headline_sentences
from mobilise.model.partner_vocab import sector_label
from mobilise.model.presentation import significant
from mobilise.model.visibility import ROUND_VISIBILITIES

app = typer.Typer(
    help="The partnership network: survey rounds, invitations, measures and change.",
    no_args_is_help=True,
)

RoundArg = Annotated[
    str, typer.Argument(help="A round's name or id (see `mobilise network rounds`).")
]
AllScoresOpt = Annotated[
    bool,
    typer.Option(
        "--all-scores",
        help="Show every score, also those from fewer raters than the round's threshold "
        "(for the survey's administrators only).",
    ),
]


def _fig(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "–" if value is None else significant(float(value), 2)


@app.command("rounds")
def rounds(
    ctx: typer.Context,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Only what this user (a username) may see.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the survey rounds, with who may see each (--as: what one user would see)."""
    with state(ctx).open(create=False) as ws:
        found = ws.surveys.rounds(viewer=ws.users.find(as_user) if as_user else None)
    if as_json:
        print_json([r.to_dict() for r in found])
        return
    from mobilise.workspace.round_choice import progress_words, shown_round

    table = Table("name", "date", "state", "rate", "min raters", "seen by")
    for r in found:
        rate = "–" if r.response_rate is None else f"{r.response_rate:.0%}"
        table.add_row(r.name, str(r.date), progress_words(r), rate, str(r.min_raters), r.visibility)
    console.print(table)
    shown = shown_round(found)
    if shown is not None:
        console.print(f"The pages and `network metrics` open on {shown.name}.")


@app.command("set-visibility")
def set_visibility(
    ctx: typer.Context,
    round_name: RoundArg,
    visibility: Annotated[
        str,
        typer.Argument(
            help="Who may see its measures: "
            + "; ".join(f"{key} ({words})" for key, words in ROUND_VISIBILITIES.items())
        ),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Choose who may see a round's measures; `link` also makes its share link."""
    with state(ctx).open(create=False) as ws:
        found = ws.surveys.set_visibility(round_name, visibility)
        token = ws.surveys.share(found.id) if visibility == "link" else None
    path = f"/network/shared/{token}" if token else None
    if as_json:
        print_json(found.to_dict() | {"share_path": path})
        return
    console.print(f"{found.name!r} is now seen by {ROUND_VISIBILITIES[found.visibility]}.")
    if path:
        console.print(f"Its link: {path} (on the server's address).")


@app.command("new-round")
def new_round(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The round's name, e.g. 'Spring 2027'.")],
    on: Annotated[str, typer.Option("--date", help="The round's date (YYYY-MM-DD).")],
    open_now: Annotated[bool, typer.Option("--open", help="Open it for answers now.")] = False,
    min_raters: Annotated[
        int, typer.Option(help="Hide scores from fewer raters than this (but to admins).")
    ] = 3,
    as_json: JsonOpt = False,
) -> None:
    """Start a survey round; its roster is the partners who are members on its date."""
    with state(ctx).open() as ws:
        found = ws.surveys.create_round(
            name, date=parse_day(on), min_raters=min_raters, status="open" if open_now else "draft"
        )
    if as_json:
        print_json(found.to_dict())
        return
    console.print(f"Round [bold]{found.name}[/] ({found.status}): {found.roster} on the roster.")


RepeatsOpt = Annotated[
    str,
    typer.Option(
        help="A pair reported twice in a round: refuse (the file), first or last (keep that row).",
    ),
]


@app.command("import")
def import_relationships(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(help="CSV/XLSX edge list, GraphML or GEXF.", exists=True, dir_okay=False),
    ],
    round_name: Annotated[
        str | None, typer.Option("--round", help="The round (unless the file has a round column).")
    ] = None,
    default_sector: Annotated[
        str | None, typer.Option(help="Sector of new partners the file gives none. " + SECTOR_HELP)
    ] = None,
    repeats: RepeatsOpt = "refuse",
    as_json: JsonOpt = False,
) -> None:
    """Import relationship data into survey rounds (all or nothing)."""
    with state(ctx).open() as ws:
        summary = ws.surveys.import_file(
            file,
            round_=round_name,
            default_sector=parse_sector(default_sector),
            repeats=repeats,
        )
    if as_json:
        print_json(summary.to_dict())
        return
    console.print(
        f"{summary.file}: {summary.links} answers; {summary.created} new partners. "
        + "; ".join(summary.notes)
    )


@app.command("invite")
def invite(
    ctx: typer.Context,
    round_name: RoundArg,
    partner: Annotated[
        list[str] | None, typer.Option(help="Only this partner (key or id); repeat for more.")
    ] = None,
    base_url: Annotated[
        str, typer.Option(help="The web app's address, for the links.")
    ] = "http://127.0.0.1:8765",
    as_json: JsonOpt = False,
) -> None:
    """Issue single-use survey links (each replaces the partner's earlier link)."""
    with state(ctx).open(create=False) as ws:
        issued = ws.surveys.invite(round_name, partners_=partner)
    rows = [{**i.to_dict(), "url": base_url.rstrip("/") + i.path} for i in issued]
    _print_rows(rows, as_json=as_json, columns={"partner": "partner_name", "link": "url"})
    if not as_json:
        console.print(f"{len(rows)} links. Each works until its answers are submitted.")


@app.command("status")
def status(ctx: typer.Context, round_name: RoundArg, as_json: JsonOpt = False) -> None:
    """Who has answered a round."""
    with state(ctx).open(create=False) as ws:
        rows = ws.surveys.completion(round_name)
    _print_rows(rows, as_json=as_json, columns={"partner": "partner", "status": "status"})


@app.command("metrics")
def metrics(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(
            help="An edge-list, GraphML or GEXF file (default: a stored round).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    round_name: Annotated[
        str | None,
        typer.Option("--round", help="The round (default: the latest closed round with answers)."),
    ] = None,
    all_scores: AllScoresOpt = False,
    repeats: RepeatsOpt = "refuse",
    as_json: JsonOpt = False,
) -> None:
    """Every measure of a round: density, centralisation, E-I, scores, brokerage, cores."""
    if file is None and repeats != "refuse":
        raise typer.BadParameter("--repeats is for a FILE; a stored round has one row per pair.")
    if file is not None:
        from mobilise.workspace.network import measure_file  # loads the analysis: only here

        with only_reading("nothing was measured"):
            found = measure_file(file, round_=round_name, repeats=repeats)
        for note in found["left_out"]:
            err_console.print(f"{file.name}: {note}")
    else:
        with state(ctx).open(create=False) as ws:
            chosen = round_name or _latest(ws)
            found = ws.network.metrics(chosen, admin=all_scores)
    if as_json:
        print_json(found)
        return
    _print_metrics(found)


def _print_metrics(found: dict[str, Any]) -> None:
    """A round's measures in words and in a table, and the ten partners who connect the most."""
    console.print(f"[bold]{found['round'].get('name') or found['round'].get('file')}[/]")
    for sentence in describe(found):
        console.print(" " + sentence)
    table = Table("measure", "value", "what it means")
    shares = ("response_rate", "density", "reciprocity")
    for key in (
        "response_rate",
        "density",
        "valued_density",
        "reciprocity",
        "centralisation",
        "assortativity",
        "k_max",
    ):
        value = found.get(key)
        shown = f"{value:.0%}" if key in shares and value is not None else _fig(value)
        table.add_row(MEASURES[key][0], shown, MEASURES[key][1])
    console.print(table)
    top = sorted(found["partners_table"], key=lambda r: -(r.get("betweenness") or 0))[:10]
    partners = Table("partner", "sector", "degree", "betweenness", "trust", "value", "k-core")
    for row in top:
        partners.add_row(
            row["name"],
            sector_label(str(row["sector"])),
            str(row["degree"]),
            _fig(row.get("betweenness")),
            _fig(row.get("trust")),
            _fig(row.get("value")),
            str(row.get("k_core")),
        )
    console.print("Partners who connect the most (by betweenness):")
    console.print(partners)
    if found.get("suppressed"):
        console.print(f"Scores from fewer than {found['min_raters']} raters are hidden (–).")


@app.command("change")
def change(
    ctx: typer.Context,
    round_a: Annotated[
        str | None,
        typer.Argument(help="The earlier round (default: the two latest closed with answers)."),
    ] = None,
    round_b: Annotated[str | None, typer.Argument(help="The later round.")] = None,
    all_scores: AllScoresOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """What changed between two rounds, among partners who answered both."""
    with state(ctx).open(create=False) as ws:
        round_a, round_b = _compared(ws, round_a, round_b)
        found = ws.network.change(round_a, round_b, admin=all_scores)
        suggestions = ws.network.introductions(round_b, limit=5)
    if as_json:
        print_json({**found, "introductions": suggestions})
        return
    for sentence in headline_sentences(found):
        console.print(sentence)
    levels = found["transitions"]["levels"]
    table = Table("before \\ after", *levels)
    for label, counts in zip(levels, found["transitions"]["counts"] or [], strict=False):
        table.add_row(label, *(str(c) for c in counts))
    console.print(table)
    if found["fading"]:
        fading = Table("tie", "why")
        for row in found["fading"][:15]:
            who = (
                f"{row['respondent_name']} → {row['partner_name']}"
                if "respondent_name" in row
                else f"{row['a_name']} – {row['b_name']}"
            )
            fading.add_row(who, "; ".join(row["reasons"]))
        console.print("Fading ties:")
        console.print(fading)
    if suggestions:
        console.print("Suggested introductions:")
        for row in suggestions:
            console.print(f" {row['a_name']} and {row['b_name']}: {row['reason']}")


@app.command("export")
def export(
    ctx: typer.Context,
    round_name: RoundArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="A .csv, .graphml or .gexf file.")],
) -> None:
    """Write a round's answers as an edge list, GraphML or GEXF (for Gephi, UCINET...).

    The file holds individual answers: keep it to the survey's administrators."""
    with state(ctx).open(create=False) as ws:
        written = ws.network.export(round_name, output)
    console.print(f"Wrote {output}: {written.partners} partners, {written.answers} answers.")


def _print_rows(rows: list[dict[str, Any]], *, as_json: bool, columns: Mapping[str, str]) -> None:
    """The rows as JSON, or as a table of ``columns`` (heading: the rows' key)."""
    if as_json:
        print_json(rows)
        return
    table = Table(*columns)
    for row in rows:
        table.add_row(*(str(row[key]) for key in columns.values()))
    console.print(table)


def _latest(ws: Any) -> str:
    """The round `network metrics` opens on: the latest closed round with answers."""
    from mobilise.workspace.round_choice import progress_words, shown_round

    shown = shown_round(ws.surveys.rounds())
    if shown is None:
        raise ValidationError("There are no survey rounds yet: see `mobilise network new-round`.")
    if shown.submitted == 0:
        raise ValidationError(
            f"No one has answered {shown.name} yet ({progress_words(shown)}): it has no "
            "measures. See `mobilise network status ROUND`."
        )
    return str(shown.id)


def _compared(ws: Any, round_a: str | None, round_b: str | None) -> tuple[str, str]:
    """The two rounds `network change` compares: those given, else the two latest closed
    rounds with answers; a round without answers is refused (it would read as every tie lost)."""
    from mobilise.workspace.round_choice import compared_pair, progress_words

    if round_a is None or round_b is None:
        if round_a is not None:
            raise typer.BadParameter("give both rounds, or neither", param_hint="ROUND_B")
        pair = compared_pair(ws.surveys.rounds())
        if pair is None:
            raise ValidationError(
                "A comparison needs two survey rounds that are closed with answers: see "
                "`mobilise network rounds`."
            )
        round_a, round_b = pair[0].id, pair[1].id
    for chosen in (round_a, round_b):
        found = ws.surveys.get_round(chosen)
        if found.submitted == 0:
            raise ValidationError(
                f"No one has answered {found.name} yet ({progress_words(found)}): there is "
                "nothing to compare."
            )
    return round_a, round_b
