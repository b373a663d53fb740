"""mobilise payments: involvement payments and vouchers, the rates table, tax-year totals with
the warning near the threshold, and the finance export (pseudonym code and amount only)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mobilise.cli._common import JsonOpt, Table, console, parse_day, print_json, state

app = typer.Typer(
    help="Involvement payments and vouchers: rates, tax-year totals, the finance export.",
    no_args_is_help=True,
)

TaxYearOpt = Annotated[
    str | None, typer.Option(help="A UK tax year, e.g. 2025-26 (6 April to 5 April).")
]


def _pounds(pence: int) -> str:
    return f"£{pence / 100:,.2f}"


@app.command("rates")
def rates(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The rates table (an example table after NIHR's guidance until you set your own)."""
    with state(ctx).open(create=False) as ws:
        found = ws.payments.rates()
    if as_json:
        print_json([r.to_dict() for r in found])
        return
    table = Table("activity", "unit", "amount", "source")
    for r in found:
        table.add_row(r.activity, r.unit, _pounds(r.amount_pence), r.source)
    console.print(table)


@app.command("set-rate")
def set_rate(
    ctx: typer.Context,
    activity: Annotated[str, typer.Argument(help="The activity, e.g. 'Workshop, half day'.")],
    unit: Annotated[str, typer.Option(help="hour, half_day, day or session.")],
    amount_pence: Annotated[int, typer.Option(help="The amount per unit, in pence.")],
    source: Annotated[str, typer.Option(help="Where the figure comes from.")] = "",
) -> None:
    """Add a rate, or change the one of an activity."""
    with state(ctx).open() as ws:
        rate = ws.payments.set_rate(activity, unit=unit, amount_pence=amount_pence, source=source)
    console.print(f"{rate.activity}: {_pounds(rate.amount_pence)} per {rate.unit}.")


@app.command("remove-rate")
def remove_rate(
    ctx: typer.Context, activity: Annotated[str, typer.Argument(help="The activity or rate id.")]
) -> None:
    """Take a rate out of the table (payments made at it keep their amounts)."""
    with state(ctx).open(create=False) as ws:
        ws.payments.remove_rate(activity)
    console.print(f"The rate of {activity} is taken out.")


@app.command("add")
def add(
    ctx: typer.Context,
    participant: Annotated[str, typer.Argument(help="The participant's pseudonym code or id.")],
    activity: Annotated[str, typer.Option(help="The activity paid for.")],
    kind: Annotated[str, typer.Option(help="payment or voucher.")] = "payment",
    amount_pence: Annotated[
        int | None, typer.Option(help="The amount; without it, the rate times --units.")
    ] = None,
    units: Annotated[float, typer.Option(help="Hours, days or sessions at the rate.")] = 1,
    paid_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (today if not given).")] = None,
    event: Annotated[str | None, typer.Option(help="The event's id.")] = None,
    note: str = "",
    as_json: JsonOpt = False,
) -> None:
    """Record a payment or voucher to a participant."""
    with state(ctx).open() as ws:
        paid = ws.payments.add(
            participant,
            activity=activity,
            kind=kind,
            amount_pence=amount_pence,
            units=units,
            paid_on=parse_day(paid_on),
            event=event,
            note=note,
        )
        standing = ws.payments.totals(tax_year=paid.tax_year, participant=paid.participant_id)
    if as_json:
        print_json(paid.to_dict())
        return
    console.print(f"{paid.code}: {_pounds(paid.amount_pence)} ({paid.kind}) on {paid.paid_on}.")
    for total in standing:
        if total.status != "ok":
            console.print(
                f"[bold]Warning:[/] {total.code} has had {_pounds(total.total_pence)} in "
                f"{total.tax_year}, {total.status} the threshold of "
                f"{_pounds(total.threshold_pence)} (near: from 80%)."
            )


@app.command("list")
def list_payments(
    ctx: typer.Context,
    tax_year: TaxYearOpt = None,
    participant: Annotated[str | None, typer.Option(help="Only this participant.")] = None,
    event: Annotated[str | None, typer.Option(help="Only this event's.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Payments and vouchers, oldest first."""
    with state(ctx).open(create=False) as ws:
        found = ws.payments.list(participant=participant, tax_year=tax_year, event=event)
    if as_json:
        print_json([p.to_dict() for p in found])
        return
    table = Table("id", "paid on", "code", "activity", "kind", "amount")
    for p in found:
        table.add_row(p.id, str(p.paid_on), p.code, p.activity, p.kind, _pounds(p.amount_pence))
    console.print(table)


@app.command("remove")
def remove(
    ctx: typer.Context, payment: Annotated[str, typer.Argument(help="The payment's id.")]
) -> None:
    """Take back a payment recorded in error."""
    with state(ctx).open(create=False) as ws:
        ws.payments.remove(payment)
    console.print("The payment is taken back.")


@app.command("totals")
def totals(ctx: typer.Context, tax_year: TaxYearOpt = None, as_json: JsonOpt = False) -> None:
    """Each person's total per tax year: near (from 80% of the project's warning threshold) or
    over it."""
    with state(ctx).open(create=False) as ws:
        found = ws.payments.totals(tax_year=tax_year)
    if as_json:
        print_json([t.to_dict() for t in found])
        return
    table = Table("code", "tax year", "total", "payments", "against the threshold")
    for t in found:
        table.add_row(t.code, t.tax_year, _pounds(t.total_pence), str(t.payments), t.status)
    console.print(table)


@app.command("export")
def export(
    ctx: typer.Context,
    target: Annotated[Path, typer.Argument(help="The CSV file to write.", dir_okay=False)],
    tax_year: TaxYearOpt = None,
    totals_only: Annotated[
        bool, typer.Option("--totals", help="The tax-year totals instead of the payments.")
    ] = False,
) -> None:
    """The finance export: pseudonym code, date, activity, kind and amount (formula-safe CSV);
    with --totals, each person's tax-year totals."""
    with state(ctx).open(create=False) as ws:
        if totals_only:
            count = ws.payments.export_totals(target, tax_year=tax_year)
        else:
            count = ws.payments.export_finance(target, tax_year=tax_year)
    console.print(f"{count} rows written to {target}.")
