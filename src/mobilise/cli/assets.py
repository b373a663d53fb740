"""``mobilise assets``: the community asset register."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mobilise.cli import asset_export, asset_restore, asset_review
from mobilise.cli._common import (
    FileArg,
    JsonOpt,
    LicenceOpt,
    Table,
    console,
    print_json,
    progress_bar,
    state,
)
from mobilise.errors import Problem, ValidationError

if TYPE_CHECKING:
    from mobilise.workspace.asset_quality import FeedQualityReport
    from mobilise.workspace.asset_records import AssetImportReport

app = typer.Typer(
    help="Community assets: import, search and check the register.", no_args_is_help=True
)

PlaceOpt = Annotated[str | None, typer.Option(help="Only assets in this place (its slug).")]


def _column_map(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    problems = []
    for pair in pairs:
        source, sep, target = pair.partition("=")
        if not sep or not source or not target:
            problems.append(Problem(f"{pair!r} is not COLUMN=FIELD", field="--column"))
        mapping[source] = target
    if problems:
        raise ValidationError("Bad --column option.", problems=problems)
    return mapping


def _print_report(report: AssetImportReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_dict())
        return
    verb = "would be" if report.dry_run else "were"
    console.print(
        f"{report.file}: {report.created:,} assets {verb} created, {report.updated:,} updated, "
        f"{report.unchanged:,} unchanged."
    )
    if report.geocoded_by_postcode:
        console.print(f"  {report.geocoded_by_postcode:,} located from their postcode (offline).")
    if report.not_geocoded:
        console.print(
            f"  {report.not_geocoded:,} have no location (no coordinates or known postcode)."
        )
    if report.outside_place:
        console.print(f"  {report.outside_place:,} lie outside the place and were skipped.")
    if report.invalid:
        console.print(f"  {report.invalid:,} invalid rows skipped.")
    if report.dropped:
        dropped = ", ".join(f"{k} ({v:,})" for k, v in sorted(report.dropped.items()))
        console.print(f"  Fields not mapped: {dropped}")
    if report.dry_run:
        for action, source_id, name in report.changes[:20]:
            console.print(f"  {action:<7} {source_id:<24} {name}")
        if len(report.changes) > 20:
            console.print(f"  ... and {len(report.changes) - 20:,} more changes")


@app.command("import")
def import_assets(
    ctx: typer.Context,
    file: FileArg,
    place: Annotated[
        str | None, typer.Option(help="Keep only the assets inside this place (its slug).")
    ] = None,
    file_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="csv, xlsx, geojson, gpkg, overpass or osm [default: from the file name]",
        ),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            "-c",
            help="Map a file column to an asset field "
            "(COLUMN=FIELD, e.g. 'Venue name=name'). Repeatable.",
        ),
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Name of the source [default: from the file]")
    ] = None,
    licence: LicenceOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; store nothing.")
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Import the valid rows and write the invalid ones to "
            "FILE.invalid.csv, instead of importing nothing.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import community assets from a file: CSV/XLSX, GeoJSON/GeoPackage or OpenStreetMap."""
    column_map = _column_map(column or []) or None
    with state(ctx).open() as ws, progress_bar(not as_json) as progress:
        report = ws.assets.import_file(
            file,
            format=file_format,
            column_map=column_map,
            source=source,
            licence=licence or "",
            place=place,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=progress,
        )
    if skip_invalid and report.invalid_rows:
        target = file.with_name(file.name + ".invalid.csv")
        report.save_invalid_rows(target)
        if not as_json:
            console.print(f"  The invalid rows and their problems are in {target}.")
    _print_report(report, as_json)


@app.command("search")
def search(
    ctx: typer.Context,
    place: PlaceOpt = None,
    postcode: Annotated[str | None, typer.Option(help="Near this postcode.")] = None,
    radius: Annotated[float, typer.Option(help="Within this many metres of the postcode.")] = 1000,
    category: Annotated[str | None, typer.Option(help="Asset category id.")] = None,
    text: Annotated[str | None, typer.Option(help="Words in the name or description.")] = None,
    free: Annotated[bool, typer.Option("--free", help="Only assets recorded as free.")] = False,
    step_free: Annotated[
        bool, typer.Option("--step-free", help="Only assets recorded as step-free.")
    ] = False,
    age: Annotated[
        int | None, typer.Option(help="Only assets whose recorded ages include this age.")
    ] = None,
    include_unknown: Annotated[
        list[str] | None,
        typer.Option(
            "--include-unknown",
            help="Keep assets that do not record this filter's fact too (free, step_free, age; "
            "repeat for several).",
        ),
    ] = None,
    fold: Annotated[
        bool, typer.Option("--fold", help="One row per place: duplicates folded together.")
    ] = False,
    limit: Annotated[int, typer.Option(help="At most this many results.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Find assets by place, distance from a postcode, category, words or what they offer.

    A filter such as --free keeps only assets that record the fact; how many do not record it
    is said under the table (--include-unknown free keeps them too)."""
    with state(ctx).open(create=False) as ws:
        near = None
        if postcode:
            near = ws.postcodes.point(postcode)
        result = ws.assets.search(
            place=place,
            near=near,
            radius_m=radius if near else None,
            category=category,
            text=text,
            free=free,
            step_free=step_free,
            age=age,
            include_unknown=include_unknown or (),
            fold=fold,
            per_page=limit,
            include_private=True,
        )
    if as_json:
        print_json(
            {
                "total": result.total,
                "not_recorded": result.not_recorded,
                "items": [
                    {**a.to_dict(), "also_listed": result.also_listed.get(a.id, [])}
                    for a in result.items
                ],
            }
        )
        return
    table = Table(title=f"{result.total:,} {'places' if fold else 'assets'}")
    for c in ("name", "category", "postcode", "metres", "source"):
        table.add_column(c)
    if fold:
        table.add_column("also listed as")
    for a in result.items:
        also = [f"{o['name']} ({o['source']})" for o in result.also_listed.get(a.id, [])]
        table.add_row(
            a.name,
            a.category,
            a.postcode or "-",
            f"{a.distance_m:,.0f}" if a.distance_m is not None else "-",
            a.source,
            *(["; ".join(also) or "-"] if fold else []),
        )
    console.print(table)
    for name, count in result.not_recorded.items():
        kept = "kept" if name in (include_unknown or ()) else "left out"
        console.print(
            f"{name.replace('_', ' ').capitalize()}: not recorded for {count:,} assets, {kept}."
        )


@app.command("show")
def show(
    ctx: typer.Context,
    asset_id: Annotated[str, typer.Argument(help="The asset's id.")],
    as_json: JsonOpt = False,
) -> None:
    """Show one asset with everything stored about it."""
    with state(ctx).open(create=False) as ws:
        asset = ws.assets.get(asset_id)
    if as_json:
        print_json(asset.to_dict())
        return
    console.print(f"[bold]{asset.name}[/] ({asset.category}, {asset.status})")
    for label, value in (
        ("Address", asset.address),
        ("Postcode", asset.postcode),
        ("LSOA", asset.lsoa11_code),
        ("Organisation", asset.organisation),
        ("Web", asset.url),
        ("Email", asset.email),
        ("Phone", asset.phone),
        ("Source", f"{asset.source} {asset.source_id} ({asset.licence})"),
        ("Updated", f"{asset.updated_at:%Y-%m-%d} by {asset.updated_by}"),
    ):
        if value:
            console.print(f"  {label}: {value}")
    if asset.description:
        console.print(asset.description)
    if asset.schedule:
        console.print("  Opening times: " + json.dumps(asset.schedule))


@app.command("quality")
def quality(
    ctx: typer.Context,
    place: PlaceOpt = None,
    stale_months: Annotated[
        int, typer.Option(help="An asset not assured for this many months is stale.")
    ] = 12,
    failing: Annotated[
        str | None,
        typer.Option(
            help="List the feed's services failing this check (id, active, name, description, "
            "url, organisation, contact, schedule, location, usable), or 'any'; the most "
            "failures first."
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=500, help="How many failing services to list.")
    ] = 20,
    as_json: JsonOpt = False,
) -> None:
    """How fresh and complete the register is, per place and per source; and how usable its
    Open Referral UK feed's services are, checked as the feed's consumers check them."""
    check = None if failing in (None, "any") else failing
    with state(ctx).open(create=False) as ws:
        feed = ws.assets.feed_quality(place=place, check=check, per_page=limit)
        report = ws.assets.quality(place=place, stale_months=stale_months)
    if as_json:
        print_json({**report.to_dict(), "feed": feed.to_dict()})
        return
    for title, groups in (("Places", report.places), ("Sources", report.sources)):
        table = Table(title=f"{title}: assets, freshness and completeness")
        for column in (
            "",
            "assets",
            "per 10k residents",
            f"stale (>{stale_months} mo)",
            "never assured",
            "located",
            "postcode",
            "contact",
            "opening times",
        ):
            table.add_column(column, justify="left" if not column else "right")
        for g in groups:
            share = g.completeness()
            table.add_row(
                g.name,
                f"{g.total:,}",
                "-" if g.per_10k_residents is None else f"{g.per_10k_residents:.1f}",
                f"{g.stale:,}",
                f"{g.never_assured:,}",
                f"{share.get('location', 0):.0%}",
                f"{share.get('postcode', 0):.0%}",
                f"{share.get('contact (web, email or phone)', 0):.0%}",
                f"{share.get('opening times', 0):.0%}",
            )
        console.print(table)
    _print_feed_quality(feed, listing=failing is not None)


def _print_feed_quality(feed: FeedQualityReport, *, listing: bool) -> None:
    table = Table(title=f"Open Referral UK feed: {feed.total:,} services, checked as consumers do")
    for column in ("check", "passing", "share", "passes when"):
        table.add_column(column, justify="right" if column in ("passing", "share") else "left")
    for c in feed.checks:
        table.add_row(c.label, f"{c.passing:,}", f"{c.share:.0%}", c.meaning)
    console.print(table)
    by_source = Table(title="Open Referral UK feed by source: share passing each check")
    for column in ("source", "services", *(c.label for c in feed.checks)):
        by_source.add_column(column, justify="left" if column == "source" else "right")
    for s in feed.sources:
        by_source.add_row(s.name, f"{s.total:,}", *(f"{s.share(c.name):.0%}" for c in feed.checks))
    console.print(by_source)
    if not listing:
        return
    what = f"failing {feed.label(feed.check)!r}" if feed.check else "failing a check"
    failing = Table(title=f"{feed.failing_total:,} services {what}, the most failures first")
    for column in ("service", "source", "id", "fails"):
        failing.add_column(column)
    for service in feed.services:
        fails = ", ".join(
            "not usable" if name == "usable" else feed.label(name) for name in service.failing
        )
        failing.add_row(service.name, service.source, service.id, fails)
    console.print(failing)


@app.command("import-oruk")
def import_oruk(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The feed's address, e.g. https://example.org/oruk")],
    place: Annotated[
        str | None, typer.Option(help="Keep only the services inside this place (its slug).")
    ] = None,
    per_page: Annotated[int, typer.Option(help="Services asked for per page.")] = 100,
    licence: LicenceOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change.")] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid services, report the rest.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import the services of an Open Referral UK 3.0 feed (follows every page)."""
    with state(ctx).open() as ws, progress_bar(not as_json) as progress:
        report = ws.assets.import_oruk(
            url,
            per_page=per_page,
            licence=licence or "",
            place=place,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=progress,
        )
    _print_report(report, as_json)


@app.command("download-osm")
def download_osm(
    ctx: typer.Context,
    output: Annotated[Path, typer.Argument(help="Where to save the OpenStreetMap data (JSON).")],
    place: Annotated[
        str | None, typer.Option(help="Download around this place (its slug).")
    ] = None,
    bbox: Annotated[
        str | None, typer.Option(help="Or a box: west,south,east,north in degrees.")
    ] = None,
    url: Annotated[
        str, typer.Option(help="Overpass API address.")
    ] = "https://overpass-api.de/api/interpreter",
) -> None:
    """Download the community assets of an area from OpenStreetMap (needs the internet).

    Import the saved file afterwards with `mobilise assets import FILE --place SLUG`.
    """
    if (place is None) == (bbox is None):
        raise ValidationError(
            "Give either --place or --bbox.",
            problems=[Problem("one of --place or --bbox is needed", field="--place")],
        )
    from mobilise.workspace.assets import download_osm_box

    if bbox is not None:  # a box needs no workspace
        box = _bbox(bbox)
    else:
        assert place is not None
        with state(ctx).open() as ws:
            box = ws.places.bbox(place)
    console.print(f"Asking {url} for the community assets in {', '.join(f'{v:.4f}' for v in box)}")
    elements = download_osm_box(output, box, url=url)
    console.print(f"Saved {elements:,} OpenStreetMap elements to {output}.")


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise ValidationError(
            f"--bbox {text!r} is not west,south,east,north.",
            problems=[Problem("four numbers separated by commas", field="--bbox")],
        ) from None
    return west, south, east, north


asset_export.register(app)  # last, so `export` is listed after the commands above
asset_review.register(app)  # then the duplicate review: `duplicates` and `merge`
asset_restore.register(app)  # and `delete`, `deleted`, `restore`
