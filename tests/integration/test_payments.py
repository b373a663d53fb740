"""Involvement payments (issue 15, item 5): rates, tax-year totals across 5/6 April, the warning
near the threshold, and the finance export (pseudonym and amount only, formula-safe), on SQLite
and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from mobilise.errors import NotFound, ValidationError
from mobilise.workspace.payments import EXAMPLE_RATES, tax_year_of, tax_year_span

from .._coproduction import add_event


def test_tax_years_turn_on_6_april():
    assert tax_year_of(date(2025, 4, 5)) == "2024-25"
    assert tax_year_of(date(2025, 4, 6)) == "2025-26"
    assert tax_year_of(date(2026, 1, 1)) == "2025-26"
    assert tax_year_of(date(1999, 4, 6)) == "1999-00"
    assert tax_year_span("2025-26") == (date(2025, 4, 6), date(2026, 4, 5))
    for bad in ("2025", "2025-27", "25-26", "x-y"):
        with pytest.raises(ValidationError):
            tax_year_span(bad)


def test_rates_start_from_the_example_table_and_admins_change_them(workspace):
    rates = workspace.payments.rates()
    assert [(r.activity, r.unit, r.amount_pence) for r in rates] == sorted(EXAMPLE_RATES)
    assert all("Example" in r.source and "nihr.ac.uk" in r.source for r in rates)
    workspace.payments.set_rate("Workshop or meeting, full day", unit="day", amount_pence=16_000)
    assert workspace.payments.rate("Workshop or meeting, full day").amount_pence == 16_000
    workspace.payments.remove_rate("Involvement activity (hourly)")
    assert len(workspace.payments.rates()) == 2  # not seeded again
    with pytest.raises(NotFound):
        workspace.payments.rate("Involvement activity (hourly)")
    workspace.payments.set_rate("Involvement activity (hourly)", unit="hour", amount_pence=2_600)
    assert workspace.payments.rate("Involvement activity (hourly)").amount_pence == 2_600
    with pytest.raises(ValidationError) as error:
        workspace.payments.set_rate("", unit="fortnight", amount_pence=-5)
    assert {p.field for p in error.value.problems} == {"activity", "unit", "amount_pence"}


def test_a_payment_defaults_from_the_rate_and_names_bad_fields(workspace):
    person = workspace.participants.add()
    event = add_event(workspace)
    paid = workspace.payments.add(
        person.code, activity="Involvement activity (hourly)", units=3, event=event
    )
    assert (paid.amount_pence, paid.code, paid.event_id, paid.kind) == (
        7_500,
        person.code,
        event,
        "payment",
    )
    voucher = workspace.payments.add(
        person.id, activity="Thank-you voucher", kind="voucher", amount_pence=1_000
    )
    assert voucher.kind == "voucher"
    with pytest.raises(ValidationError) as error:
        workspace.payments.add(person.id, activity="Unpriced", kind="cash", event="nope")
    assert {p.field for p in error.value.problems} == {"kind", "event"}
    with pytest.raises(ValidationError) as error:
        workspace.payments.add(person.id, activity="Unpriced")
    assert {p.field for p in error.value.problems} == {"amount_pence"}
    with pytest.raises(NotFound):
        workspace.payments.add("P-NOBODY", activity="Unpriced", amount_pence=100)
    assert len(workspace.payments.list(participant=person.code)) == 2
    workspace.payments.remove(voucher.id)
    assert [p.id for p in workspace.payments.list()] == [paid.id]


def test_totals_per_tax_year_and_the_warning_near_the_threshold(workspace):
    workspace.project_settings.set("payment_warning_pence", 10_000)  # £100
    near, over, fine = (workspace.participants.add() for _ in range(3))
    pay = workspace.payments.add
    pay(near.id, activity="Workshop", amount_pence=5_000, paid_on=date(2025, 4, 5))  # 2024-25
    pay(near.id, activity="Workshop", amount_pence=8_000, paid_on=date(2025, 4, 6))  # 2025-26
    pay(over.id, activity="Workshop", amount_pence=6_000, paid_on=date(2025, 6, 1))
    pay(over.id, activity="Workshop", amount_pence=4_000, paid_on=date(2026, 4, 5))  # same year
    pay(fine.id, activity="Workshop", amount_pence=7_999, paid_on=date(2025, 6, 1))
    totals = {(t.code, t.tax_year): (t.total_pence, t.status) for t in workspace.payments.totals()}
    assert totals == {
        (near.code, "2024-25"): (5_000, "ok"),
        (near.code, "2025-26"): (8_000, "near"),  # 80% of the threshold: near
        (over.code, "2025-26"): (10_000, "over"),  # at the threshold: over
        (fine.code, "2025-26"): (7_999, "ok"),  # just under 80%
    }
    warned = workspace.payments.warnings(tax_year="2025-26")
    assert [(w.code, w.status) for w in warned] == [(over.code, "over"), (near.code, "near")]
    assert workspace.payments.warnings(tax_year="2024-25") == []
    assert len(workspace.payments.list(tax_year="2025-26")) == 4


def test_the_finance_export_holds_pseudonym_and_amount_only_and_runs_no_formula(workspace):
    person = workspace.participants.add(identity={"name": "Dana Example", "email": "d@example.org"})
    event = add_event(workspace)
    workspace.payments.add(
        person.id,
        activity='=HYPERLINK("https://evil.example")',
        amount_pence=2_500,
        paid_on=date(2025, 5, 1),
        event=event,
        note="paid in cash at the door",
    )
    out = io.BytesIO()
    assert workspace.payments.export_finance(out, tax_year="2025-26") == 1
    text = out.getvalue().decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["code", "paid_on", "activity", "kind", "amount_pence"],
        [person.code, "2025-05-01", '\'=HYPERLINK("https://evil.example")', "payment", "2500"],
    ]
    for private in ("Dana", "d@example.org", "cash", event):
        assert private not in text
    totals = io.BytesIO()
    assert workspace.payments.export_totals(totals) == 1
    assert totals.getvalue().decode().splitlines()[1] == f"{person.code},2025-26,2500,1,ok"
