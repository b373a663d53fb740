"""Involvement payments: the staff page, the JSON API and the finance export.

A payment is a row about one person, so only editors (facilitators, analysts; admins always)
see or record them; partners and viewers do not. The rates table is read by editors and
changed by admins. The finance export holds pseudonym code, date, activity, kind and amount
only, written through the formula-safe CSV writer.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from mobilise.model.engagement_vocab import PAYMENT_KINDS
from mobilise.web.deps import AdminDep, EditorDep, TemplatesDep, WorkspaceDep
from mobilise.web.routes.api import ERRORS

api = APIRouter(prefix="/api/v1", tags=["payments"])
pages = APIRouter(include_in_schema=False)

TAX_YEAR = r"^\d{4}-\d{2}$"
TaxYearQuery = Annotated[
    str | None,
    Query(pattern=TAX_YEAR, description="A UK tax year, e.g. 2025-26 (6 April to 5 April)."),
]
DONE = {
    "paid": "The payment is recorded.",
    "removed": "The payment is taken back.",
    "rate": "The rate is saved.",
    "rate_removed": "The rate is taken out of the table.",
}


class PaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participant: str = Field(max_length=40, description="The participant's id or pseudonym code.")
    activity: str = Field(max_length=200)
    kind: str = Field("payment", description=f"One of {', '.join(PAYMENT_KINDS)}.")
    amount_pence: int | None = Field(
        None, description="The amount; without it, the activity's rate times units."
    )
    units: float = Field(1, gt=0, le=1000, description="Hours, days or sessions at the rate.")
    paid_on: dt.date | None = Field(None, description="The day paid (today if not given).")
    event: str | None = Field(None, max_length=36, description="The event it was for.")
    note: str = Field("", max_length=2000)


class RateSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    activity: str = Field(max_length=200)
    unit: str = Field(description="hour, half_day, day or session.")
    amount_pence: int
    source: str = Field("", max_length=2000)


# -- API -----------------------------------------------------------------------------------------
@api.get("/payments", responses=ERRORS)
def list_payments(
    workspace: WorkspaceDep,
    _user: EditorDep,
    tax_year: TaxYearQuery = None,
    participant: Annotated[str | None, Query(max_length=40)] = None,
    event: Annotated[str | None, Query(max_length=36)] = None,
) -> list[dict[str, Any]]:
    """Payments and vouchers, oldest first (of one tax year, participant or event)."""
    found = workspace.payments.list(participant=participant, tax_year=tax_year, event=event)
    return [p.to_dict() for p in found]


@api.post("/payments", status_code=201, responses=ERRORS)
def add_payment(body: PaymentCreate, workspace: WorkspaceDep, _user: EditorDep) -> dict[str, Any]:
    """Record a payment or voucher; the amount defaults from the activity's rate."""
    return workspace.payments.add(**body.model_dump()).to_dict()


@api.delete("/payments/{payment_id}", status_code=204, responses=ERRORS)
def remove_payment(payment_id: str, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    """Take back a payment recorded in error."""
    workspace.payments.remove(payment_id)
    return Response(status_code=204)


@api.get("/payments/totals", responses=ERRORS)
def payment_totals(
    workspace: WorkspaceDep, _user: EditorDep, tax_year: TaxYearQuery = None
) -> dict[str, Any]:
    """Each person's total per tax year, with ``near`` (from 80% of the project's warning
    threshold) or ``over`` (at or past it)."""
    return {
        "threshold_pence": workspace.payments.threshold_pence(),
        "near_from_share": 0.8,
        "totals": [t.to_dict() for t in workspace.payments.totals(tax_year=tax_year)],
    }


@api.get("/payments/finance", responses=ERRORS)
def finance_rows(
    workspace: WorkspaceDep, _user: EditorDep, tax_year: TaxYearQuery = None
) -> list[dict[str, Any]]:
    """The finance export as JSON: pseudonym code, date, activity, kind and amount only."""
    return workspace.payments.finance_rows(tax_year=tax_year)


@api.get("/payment-rates", responses=ERRORS)
def list_rates(workspace: WorkspaceDep, _user: EditorDep) -> list[dict[str, Any]]:
    """The involvement rates table (an example table after NIHR's guidance on first use)."""
    return [r.to_dict() for r in workspace.payments.rates()]


@api.put("/payment-rates", responses=ERRORS)
def set_rate(body: RateSet, workspace: WorkspaceDep, _admin: AdminDep) -> dict[str, Any]:
    """Add a rate, or change the one of its activity (admins)."""
    return workspace.payments.set_rate(**body.model_dump()).to_dict()


@api.delete("/payment-rates/{rate_id}", status_code=204, responses=ERRORS)
def remove_rate(rate_id: str, workspace: WorkspaceDep, _admin: AdminDep) -> Response:
    """Take a rate out of the table (admins); payments made at it keep their amounts."""
    workspace.payments.remove_rate(rate_id)
    return Response(status_code=204)


# -- pages ---------------------------------------------------------------------------------------
@pages.get("/payments", response_class=HTMLResponse)
def payments_page(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    tax_year: TaxYearQuery = None,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Payments of a tax year (this one by default), totals with warnings, the rates."""
    from mobilise.workspace.payments import tax_year_of

    year = tax_year or tax_year_of(dt.date.today())
    return templates.TemplateResponse(
        request,
        "payments.html",
        {
            "user": user,
            "year": year,
            "payments": workspace.payments.list(tax_year=year),
            "totals": workspace.payments.totals(tax_year=year),
            "threshold": workspace.payments.threshold_pence(),
            "rates": workspace.payments.rates(),
            "kinds": PAYMENT_KINDS,
            "units": _units(),
            "done": DONE.get(done, ""),
        },
    )


@pages.post("/payments", response_class=HTMLResponse)
def add_payment_form(
    workspace: WorkspaceDep,
    _user: EditorDep,
    participant: Annotated[str, Form(max_length=40)] = "",
    activity: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=20)] = "payment",
    amount: Annotated[str, Form(max_length=20)] = "",
    units: Annotated[float, Form(gt=0, le=1000)] = 1,
    paid_on: Annotated[dt.date | None, Form()] = None,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Record a payment from the page (an amount in pounds, or empty for the rate)."""
    paid = workspace.payments.add(
        participant,
        activity=activity,
        kind=kind,
        amount_pence=_pence(amount),
        units=units,
        paid_on=paid_on,
        note=note,
    )
    return _back("paid", paid.tax_year)


@pages.post("/payments/{payment_id}/remove", response_class=HTMLResponse)
def remove_payment_form(payment_id: str, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    year = workspace.payments.get(payment_id).tax_year
    workspace.payments.remove(payment_id)
    return _back("removed", year)


@pages.post("/payments/rates", response_class=HTMLResponse)
def set_rate_form(
    workspace: WorkspaceDep,
    _admin: AdminDep,
    activity: Annotated[str, Form(max_length=200)] = "",
    unit: Annotated[str, Form(max_length=20)] = "",
    amount: Annotated[str, Form(max_length=20)] = "",
    source: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Add or change a rate (admins); the amount in pounds."""
    workspace.payments.set_rate(
        activity, unit=unit, amount_pence=_pence(amount) or 0, source=source
    )
    return _back("rate", None)


@pages.post("/payments/rates/{rate_id}/remove", response_class=HTMLResponse)
def remove_rate_form(rate_id: str, workspace: WorkspaceDep, _admin: AdminDep) -> Response:
    workspace.payments.remove_rate(rate_id)
    return _back("rate_removed", None)


@pages.get("/payments/finance.csv")
def finance_csv(
    workspace: WorkspaceDep, _user: EditorDep, tax_year: TaxYearQuery = None
) -> Response:
    """The finance export: pseudonym code, date, activity, kind and amount (formula-safe CSV)."""
    out = BytesIO()
    workspace.payments.export_finance(out, tax_year=tax_year)
    return _csv(out, f"payments-{tax_year or 'all'}.csv")


@pages.get("/payments/totals.csv")
def totals_csv(
    workspace: WorkspaceDep, _user: EditorDep, tax_year: TaxYearQuery = None
) -> Response:
    """Each person's tax-year totals and where they stand against the threshold (CSV)."""
    out = BytesIO()
    workspace.payments.export_totals(out, tax_year=tax_year)
    return _csv(out, f"payment-totals-{tax_year or 'all'}.csv")


def _csv(out: BytesIO, name: str) -> Response:
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _pence(pounds: str) -> int | None:
    """An amount typed in pounds ("25", "£7.50") in pence; empty: None. A malformed amount is
    a ValidationError naming the field."""
    from mobilise.errors import Problem, ValidationError

    text = pounds.strip().lstrip("£").replace(",", "")
    if not text:
        return None
    try:
        value = round(float(text) * 100)
    except (ValueError, OverflowError):  # "abc", "inf", "nan"
        value = -1
    if value <= 0 or value >= 10**8:
        raise ValidationError(
            f"Cannot read the amount {pounds!r}.",
            problems=[Problem("an amount in pounds, e.g. 25 or 7.50", field="amount")],
        )
    return value


def _units() -> dict[str, str]:
    from mobilise.workspace.payments import RATE_UNITS

    return RATE_UNITS


def _back(done: str, year: str | None) -> Response:
    query = f"?done={done}" + (f"&tax_year={year}" if year else "")
    return RedirectResponse(f"/payments{query}", status_code=303)


router = APIRouter()
"""The API and the pages, as one router for the app."""
router.include_router(api)
router.include_router(pages)
