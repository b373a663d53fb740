"""mobilise maps: participatory systems maps — import, export, and analyse them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mobilise.cli._common import JsonOpt, Table, console, print_json, state
from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.model.map_files import MAP_FILE_FORMATS, WRITABLE_MAP_FORMATS
from mobilise.model.presentation import significant
from mobilise.model.visibility import MAP_VISIBILITIES

if TYPE_CHECKING:
    from mobilise.workspace.map_analysis import MapAnalysisService

app = typer.Typer(
    help="Participatory systems maps: import and export (PRSM, Kumu, Mental Modeler, LOOPY, "
    "GraphML, CSV, Vensim, XMILE), feedback loops, paths, leverage and what-if scenarios.",
    no_args_is_help=True,
)

MapArg = Annotated[
    str, typer.Argument(help="A stored map's id (see `mobilise maps list`) or a map file.")
]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format", help=f"The file's format: {', '.join(MAP_FILE_FORMATS)} (default: guessed)."
    ),
]


@contextmanager
def _analyses(
    ctx: typer.Context, *sources: str, stored: bool = False
) -> Iterator[MapAnalysisService]:
    """The analysis service, with the workspace open only when a source is a stored map (or
    ``stored`` says the command stores something)."""
    for source in sources:
        _check_file(source)
    if not stored and all(Path(source).is_file() for source in sources):
        from mobilise.workspace.map_analysis import MapAnalysisService

        yield MapAnalysisService(None)
        return
    with state(ctx).open(create=stored) as workspace:
        yield workspace.map_analysis


def _check_file(source: str) -> None:
    """NotFound naming the file when ``source`` reads as a file's path (it has a folder or a
    suffix, which a stored map's id never has) and there is no such file."""
    path = Path(source)
    if path.is_file() or not (path.suffix or len(path.parts) > 1):
        return
    if path.is_dir():
        raise ValidationError(f"{source} is a folder, not a map file.")
    raise NotFound(f"File not found: {path.absolute()}")


def _source(source: str, file_format: str | None, service: MapAnalysisService) -> Any:
    return (
        service.causal_map(Path(source), format=file_format) if Path(source).is_file() else source
    )


AsOpt = Annotated[
    str | None,
    typer.Option("--as", help="Only what this user (a username) may see."),
]
VisibilityArg = Annotated[
    str,
    typer.Argument(
        help="Who may see it: "
        + "; ".join(f"{key} ({words})" for key, words in MAP_VISIBILITIES.items())
    ),
]


@app.command("list")
def list_maps(
    ctx: typer.Context,
    place: Annotated[str | None, typer.Option(help="Only this place's maps.")] = None,
    as_user: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the stored maps, with who may see each (all of them: the command line works as the
    workspace's operator; --as shows what one user would see)."""
    with state(ctx).open(create=False) as ws:
        viewer = ws.users.find(as_user) if as_user else None
        found = ws.maps.list(place=place, viewer=viewer)
    if as_json:
        print_json([m.to_dict() for m in found])
        return
    table = Table("id", "title", "place", "factors", "links", "status", "seen by", "changed")
    for m in found:
        table.add_row(
            m.id,
            m.title,
            m.place or "–",
            str(m.n_factors),
            str(m.n_links),
            m.status,
            m.visibility,
            f"{m.updated_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)


@app.command("set-visibility")
def set_visibility(
    ctx: typer.Context,
    map_id: Annotated[str, typer.Argument(help="The map's id (see `mobilise maps list`).")],
    visibility: VisibilityArg,
    as_json: JsonOpt = False,
) -> None:
    """Choose who may see a map; `link` also makes its read-only share link."""
    with state(ctx).open(create=False) as ws:
        info = ws.maps.set_visibility(map_id, visibility)
        token = ws.maps.share(map_id) if visibility == "link" else None
    if as_json:
        print_json(info.to_dict() | {"share_path": f"/maps/shared/{token}" if token else None})
        return
    console.print(f"{info.title!r} is now seen by {MAP_VISIBILITIES[info.visibility]}.")
    if token:
        console.print(f"Its read-only link: /maps/shared/{token} (on the server's address).")


@app.command("link-person")
def link_person(
    ctx: typer.Context,
    map_id: Annotated[str, typer.Argument(help="The map's id (see `mobilise maps list`).")],
    participant: Annotated[str, typer.Argument(help="The map participant's pseudonym or id.")],
    person: Annotated[
        str | None,
        typer.Option(
            help="The participant's code in the participants register (see "
            "`mobilise participants list`)."
        ),
    ] = None,
    unlink: Annotated[bool, typer.Option(help="Remove the link instead.")] = False,
) -> None:
    """Link a map participant to a person of the participants register: when that person
    withdraws taking part, their comments and votes leave the map and its exports."""
    if (person is None) != unlink:
        raise typer.BadParameter("give --person CODE, or --unlink")
    with state(ctx).open(create=False) as ws:
        linked = ws.maps.link_person(map_id, participant, None if unlink else person)
    console.print(f"{linked['pseudonym']} is linked to {linked['person'] or 'nobody'}.")


@app.command("deleted")
def deleted(
    ctx: typer.Context,
    map_id: Annotated[
        str | None, typer.Argument(help="A map: its deleted factors and links (else the maps).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List deleted maps, or a map's deleted factors and links, to restore them."""
    with state(ctx).open(create=False) as ws:
        found: Any = ws.maps.deleted_parts(map_id) if map_id else ws.maps.deleted()
    if as_json:
        print_json(found)
        return
    table = Table("kind", "id", "what", "deleted", "by")
    rows = (
        [("map", m, m["title"]) for m in found]
        if map_id is None
        else [
            *(("factor", f, f["label"]) for f in found["factors"]),
            *(
                ("link", k, f"{k['source_id']} → {k['target_id']} ({k['polarity']})")
                for k in found["links"]
            ),
        ]
    )
    for kind, row, what in rows:
        table.add_row(
            kind, row["id"], what, row["deleted_at"][:16].replace("T", " "), row["deleted_by"] or ""
        )
    console.print(table if rows else "Nothing is deleted.")


@app.command("restore")
def restore(
    ctx: typer.Context,
    map_id: Annotated[str, typer.Argument(help="The map (see `mobilise maps deleted`).")],
    factor: Annotated[
        str | None,
        typer.Option(
            "--factor", help="Restore this factor of the map (and the links deleted with it)."
        ),
    ] = None,
    link: Annotated[
        str | None, typer.Option("--link", help="Restore this link of the map.")
    ] = None,
) -> None:
    """Bring back a deleted map, or one of its deleted factors or links (each with an audit
    entry). A link whose factor is deleted is refused: restore the factor first."""
    if factor and link:
        raise ValidationError(
            "Restore a factor or a link, not both at once.",
            problems=[Problem("name one", field="link")],
        )
    with state(ctx).open(create=False) as ws:
        if factor:
            back = ws.maps.restore_factor(map_id, factor)
            said = (
                f"Restored factor {back['label']!r} and {len(back['links'])} links deleted with it."
            )
        elif link:
            ws.maps.restore_link(map_id, link)
            said = f"Restored link {link}."
        else:
            ws.maps.restore(map_id)
            said = f"Restored map {ws.maps.get(map_id).title!r}."
    console.print(said)


@app.command("import")
def import_map(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The map file.", exists=True, dir_okay=False)],
    file_format: FormatOpt = None,
    place: Annotated[str | None, typer.Option(help="The place the map is about.")] = None,
    title: Annotated[str | None, typer.Option(help="A title (default: the file's).")] = None,
    group: Annotated[
        str, typer.Option("--group", help="The stakeholder group whose map it is.")
    ] = "",
    as_json: JsonOpt = False,
) -> None:
    """Store a map file as a new map (all or nothing)."""
    with state(ctx).open() as ws:
        info = ws.map_analysis.import_file(
            file, format=file_format, place=place, title=title, stakeholder_group=group
        )
    if as_json:
        print_json(info.to_dict())
        return
    console.print(
        f"Imported [bold]{info.title}[/]: {info.n_factors} factors, {info.n_links} links "
        f"(map {info.id})."
    )


@app.command("export")
def export_map(
    ctx: typer.Context,
    source: MapArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="The file to write.")],
    file_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"{', '.join(WRITABLE_MAP_FORMATS)} (default: from the output's suffix).",
        ),
    ] = None,
    compressed: Annotated[
        bool,
        typer.Option(help="PRSM only: the compressed form PRSM itself saves (lz-string)."),
    ] = False,
) -> None:
    """Write a map (stored, or a file in another format) for another tool; warns of what the
    tool will change (PRSM cuts a title past 50 characters)."""
    with _analyses(ctx, source) as service:
        written = service.export(
            _source(source, None, service), output, format=file_format, compressed=compressed
        )
    console.print(f"Wrote {output} ({written.label}, {written.size:,} bytes).")
    for warning in written.warnings:
        console.print(f"[yellow]Warning:[/] {warning}.")


@app.command("loops")
def loops(
    ctx: typer.Context,
    source: MapArg,
    file_format: FormatOpt = None,
    max_length: Annotated[int | None, typer.Option(help="Longest loop, in links.")] = None,
    max_loops: Annotated[int, typer.Option(help="Stop after this many loops.")] = 10_000,
    time_budget: Annotated[float, typer.Option(help="Stop after this many seconds.")] = 5.0,
    through: Annotated[
        list[str] | None, typer.Option(help="Only loops through this factor (id or label).")
    ] = None,
    rank: Annotated[str, typer.Option(help="Order: length, focus or strength.")] = "length",
    as_json: JsonOpt = False,
) -> None:
    """Feedback loops, each reinforcing, balancing or undetermined (a link of unknown sign)."""
    with _analyses(ctx, source) as service:
        report = service.loops(
            _source(source, file_format, service),
            max_length=max_length,
            max_loops=max_loops,
            time_budget_s=time_budget,
            through=through,
            rank_by=rank,
        )
    found = report.to_dict()
    if as_json:
        print_json(found)
        return
    counts = found["counts"]
    console.print(
        f"{found['total']:,} loops: {counts['reinforcing']:,} reinforcing, "
        f"{counts['balancing']:,} balancing, {counts['undetermined']:,} undetermined."
        + (f" [yellow]Cut short ({found['reason']}).[/]" if found["truncated"] else "")
    )
    table = Table("loop", "kind", "links", "factors")
    for loop in found["loops"][:50]:
        table.add_row(
            loop["id"], loop["kind"], str(loop["length"]), " → ".join(loop["labels"][:12])
        )
    console.print(table)


@app.command("paths")
def paths(
    ctx: typer.Context,
    source: MapArg,
    file_format: FormatOpt = None,
    sources: Annotated[
        list[str] | None,
        typer.Option("--from", help="Start here (default: every intervention)."),
    ] = None,
    targets: Annotated[
        list[str] | None, typer.Option("--to", help="End here (default: every outcome).")
    ] = None,
    max_length: Annotated[int, typer.Option(help="Longest path, in links.")] = 6,
    as_json: JsonOpt = False,
) -> None:
    """Causal paths from interventions to outcomes, the net effect of each intervention on each
    outcome, and interventions that pull an outcome in opposite directions."""
    with _analyses(ctx, source) as service:
        found = service.paths(
            _source(source, file_format, service),
            sources=sources,
            targets=targets,
            max_length=max_length,
        )
    if as_json:
        print_json(found)
        return
    table = Table("from", "to", "effect", "paths", "+", "−", "?")
    for e in found["effects"]:
        table.add_row(
            e["intervention_label"],
            e["outcome_label"],
            e["effect"],
            str(e["paths"]),
            str(e["positive"]),
            str(e["negative"]),
            str(e["ambiguous"]),
        )
    console.print(table)
    for c in found["conflicts"]:
        console.print(f"[yellow]Conflict:[/] {c}")


@app.command("centrality")
def centrality(
    ctx: typer.Context,
    source: MapArg,
    file_format: FormatOpt = None,
    top: Annotated[int, typer.Option(help="Show this many factors.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Causes and effects of each factor, betweenness, closeness and leverage."""
    with _analyses(ctx, source) as service:
        frame = service.centrality(_source(source, file_format, service))
    if as_json:
        print_json(frame.reset_index().to_dict("records"))
        return
    table = Table("factor", "kind", "causes", "effects", "betweenness", "leverage")
    for _, r in frame.sort_values("leverage", ascending=False).head(top).iterrows():
        table.add_row(
            str(r["label"]),
            str(r["kind"]),
            str(r["in_degree"]),
            str(r["out_degree"]),
            significant(float(r["betweenness"]), 2),
            significant(float(r["leverage"]), 2),
        )
    console.print(table)


@app.command("scenario")
def scenario(
    ctx: typer.Context,
    source: MapArg,
    file_format: FormatOpt = None,
    clamp: Annotated[
        list[str] | None,
        typer.Option(help="Hold a factor at a value from -1 to 1: 'Label=1' (repeatable)."),
    ] = None,
    saved: Annotated[
        str | None, typer.Option("--saved", help="Use a scenario saved in the map file.")
    ] = None,
    rule: Annotated[str, typer.Option(help="kosko, modified_kosko or rescaled.")] = "kosko",
    transfer: Annotated[
        str, typer.Option(help="sigmoid, tanh, bivalent or trivalent.")
    ] = "sigmoid",
    as_json: JsonOpt = False,
) -> None:
    """A what-if scenario (fuzzy cognitive map): hold factors, compare with the baseline."""
    with _analyses(ctx, source) as service:
        map_source = _source(source, file_format, service)
        clamps = _clamps(clamp or [])
        if saved is not None:
            named = {s["name"]: s for s in service.scenarios(map_source)}
            if saved not in named:
                raise ValidationError(
                    f"The map has no scenario {saved!r}; it has: {', '.join(named) or 'none'}.",
                    problems=[Problem("unknown scenario", field="saved")],
                )
            clamps = {**named[saved]["clamps"], **clamps}
        frame = service.scenario(map_source, clamps, rule=rule, transfer=transfer)
    if as_json:
        print_json(frame.reset_index().to_dict("records"))
        return
    table = Table("factor", "baseline", "scenario", "change", title="What if")
    for _, r in frame.iterrows():
        table.add_row(
            str(r["label"]) + (" (held)" if r["clamped"] else ""),
            f"{r['baseline']:.3f}",
            f"{r['scenario']:.3f}",
            f"{r['change']:+.3f}",
        )
    console.print(table)


@app.command("compare")
def compare(
    ctx: typer.Context,
    sources: Annotated[
        list[str], typer.Argument(help="Two or more maps (stored ids or files), one per group.")
    ],
    min_share: Annotated[
        float, typer.Option(help="Consensus: links drawn by at least this share of groups.")
    ] = 0.5,
    merge_as: Annotated[
        str | None,
        typer.Option("--merge-as", help="Also store one merged map with this title."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare several groups' maps: shared factors, consensus links, differences."""
    named: list[Any] = [Path(s) if Path(s).is_file() else s for s in sources]
    with _analyses(ctx, *sources, stored=merge_as is not None) as service:
        found = service.compare(named, min_share=min_share)
        merged = service.merge(named, title=merge_as) if merge_as else None
    if merged is not None:
        found["merged_map"] = merged.to_dict()
    if as_json:
        print_json(found)
        return
    agreed = found["consensus"]["links"]
    console.print(
        f"{len(found['groups'])} maps: {', '.join(found['groups'])}. "
        f"{len(agreed)} links drawn by at least {min_share:.0%} of them."
    )
    table = Table("from", "to", "sign", "groups", title="Consensus")
    for link in agreed:
        sign = "contested" if link["contested"] else link["polarity"]
        table.add_row(link["source_label"], link["target_label"], sign, ", ".join(link["groups"]))
    console.print(table)
    if "difference" in found:
        counts = found["difference"]["counts"]
        console.print("Difference: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if merged is not None:
        console.print(f"Stored the merged map {merged.title!r} ({merged.id}).")


def _clamps(texts: list[str]) -> dict[str, float]:
    clamps: dict[str, float] = {}
    problems = []
    for text in texts:
        name, _, value = text.rpartition("=")
        try:
            clamps[name.strip()] = float(value)
        except ValueError:
            problems.append(Problem(f"{text!r} is not 'factor=value'", field="clamp"))
        if not name.strip():
            problems.append(Problem(f"{text!r} names no factor", field="clamp"))
    if problems:
        raise ValidationError("Cannot read the clamps.", problems=problems)
    return clamps
