"""Involvement payments: what a project pays the people who take part, and how much each has
had in a tax year.

- **Rates** (``involvement_rates``): an activity, its unit (hour, half day, day, session), an
  amount in pence and where the figure comes from. A workspace starts with an example table
  (:data:`EXAMPLE_RATES`, after NIHR's payment guidance for public involvement); admins change
  it to the project's own.
- **Payments and vouchers** per participant (their pseudonym code) per activity, optionally for
  an event; the amount defaults from the activity's rate times the units.
- **Totals per person per UK tax year** (6 April to 5 April): a payment on 5 April 2025 counts
  in 2024-25, one on 6 April 2025 in 2025-26. A person's total is ``near`` the project's warning
  threshold (``payment_warning_pence``) from 80% of it (:data:`NEAR_SHARE`) and ``over`` it
  from the threshold itself: payments can affect benefits, so the facilitator should talk with
  the person before paying more.
- **The finance export** holds pseudonym code, date, activity, kind and amount only: no names,
  no events, no notes (:data:`FINANCE_COLUMNS`), written through the formula-safe CSV writer.

Payments are not consent-scoped: finance must keep them after a withdrawal (a payment is a
record of what the project owes or paid, not something the person contributed).
"""

from __future__ import annotations

import builtins
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.model.engagement_vocab import PAYMENT_KINDS
from mobilise.store.records import (
    insert_record,
    restore_record,
    soft_delete_record,
    update_record,
)
from mobilise.store.tables import (
    engagement_events,
    involvement_payments,
    involvement_rates,
    participants,
)

if TYPE_CHECKING:
    from sqlalchemy import Row

    from mobilise.workspace._files import FileTarget
    from mobilise.workspace.core import Workspace

__all__ = [
    "EXAMPLE_RATES",
    "FINANCE_COLUMNS",
    "NEAR_SHARE",
    "RATE_UNITS",
    "Payment",
    "PaymentService",
    "Rate",
    "YearTotal",
    "tax_year_of",
    "tax_year_span",
]

RATE_UNITS: dict[str, str] = {
    "hour": "per hour",
    "half_day": "per half day",
    "day": "per day",
    "session": "per session",
}
NEAR_SHARE = 0.8
"""A person's tax-year total is "near" the warning threshold from this share of it (80%)."""
MAX_AMOUNT_PENCE = 10**8  # £1,000,000: a typing slip, not a payment
FINANCE_COLUMNS = ("code", "paid_on", "activity", "kind", "amount_pence")
"""The finance export's columns: pseudonym code, date, activity, kind and amount, nothing else."""

NIHR_SOURCE = (
    "Example figures after NIHR, 'Payment guidance for researchers and professionals' "
    "(https://www.nihr.ac.uk/documents/payment-guidance-for-researchers-and-professionals/27392, "
    "version 1.6, August 2024); check the current rates there and set your project's own"
)
EXAMPLE_RATES: tuple[tuple[str, str, int], ...] = (
    ("Involvement activity (hourly)", "hour", 2_500),
    ("Workshop or meeting, half day", "half_day", 7_500),
    ("Workshop or meeting, full day", "day", 15_000),
)
"""The rates a workspace starts with (activity, unit, pence): examples to replace, labelled so
in their ``source``."""


def tax_year_of(day: date) -> str:
    """The UK tax year ``day`` falls in, e.g. ``"2025-26"`` for 6 April 2025 to 5 April 2026."""
    start = day.year if (day.month, day.day) >= (4, 6) else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


FIRST_TAX_YEAR, LAST_TAX_YEAR = 1990, 2100  # the tax years a payment may fall in


def tax_year_span(label: str) -> tuple[date, date]:
    """The first and last day of a tax year named like ``"2025-26"``."""
    try:
        start_text, end_text = label.split("-")
        start = int(start_text)
        if len(start_text) != 4 or int(end_text) != (start + 1) % 100 or len(end_text) != 2:
            raise ValueError(label)
        if not FIRST_TAX_YEAR <= start <= LAST_TAX_YEAR:
            raise ValueError(label)
    except ValueError:
        raise ValidationError(
            f"No tax year {label!r}.",
            problems=[
                Problem(
                    f"a tax year such as 2025-26, from {FIRST_TAX_YEAR} to {LAST_TAX_YEAR}",
                    field="tax_year",
                )
            ],
        ) from None
    return date(start, 4, 6), date(start + 1, 4, 5)


@dataclass(frozen=True)
class Rate:
    id: str
    activity: str
    unit: str
    amount_pence: int
    source: str
    version: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Payment:
    """One payment or voucher to a participant, known by their pseudonym code."""

    id: str
    participant_id: str
    code: str
    event_id: str | None
    activity: str
    kind: str
    amount_pence: int
    paid_on: date
    note: str
    tax_year: str
    version: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"paid_on": self.paid_on.isoformat()}

    def finance_row(self) -> list[Any]:
        return [self.code, self.paid_on.isoformat(), self.activity, self.kind, self.amount_pence]


@dataclass(frozen=True)
class YearTotal:
    """A person's payments in one tax year, and where they stand against the threshold:
    ``ok``, ``near`` (from 80% of it) or ``over`` (at or past it)."""

    participant_id: str
    code: str
    tax_year: str
    total_pence: int
    payments: int
    threshold_pence: int
    status: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _standing(total: int, threshold: int) -> str:
    if total >= threshold:
        return "over"
    return "near" if total >= NEAR_SHARE * threshold else "ok"


def _rate_of(row: Row[Any]) -> Rate:
    return Rate(row.id, row.activity, row.unit, row.amount_pence, row.source, row.version)


def _payment_of(row: Row[Any]) -> Payment:
    return Payment(
        id=row.id,
        participant_id=row.participant_id,
        code=row.code,
        event_id=row.event_id,
        activity=row.activity,
        kind=row.kind,
        amount_pence=row.amount_pence,
        paid_on=row.paid_on,
        note=row.note,
        tax_year=tax_year_of(row.paid_on),
        version=row.version,
    )


def _amount_problems(amount: Any, field: str = "amount_pence") -> list[Problem]:
    whole = isinstance(amount, int) and not isinstance(amount, bool)
    if not whole or not 0 < amount <= MAX_AMOUNT_PENCE:
        return [Problem(f"a whole number of pence from 1 to {MAX_AMOUNT_PENCE:,}", field=field)]
    return []


class PaymentService:
    """Rates, payments and vouchers, tax-year totals and the finance export."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- rates ------------------------------------------------------------------------------
    def rates(self) -> builtins.list[Rate]:
        """The rates table, by activity (the example table on first use)."""
        self._seed()
        with self._ws.read() as connection:
            rows = connection.execute(
                select(involvement_rates)
                .where(involvement_rates.c.deleted_at.is_(None))
                .order_by(involvement_rates.c.activity)
            ).all()
        return [_rate_of(row) for row in rows]

    def rate(self, activity: str) -> Rate:
        """The rate of an activity (named, or by the rate's id)."""
        for found in self.rates():
            if activity in (found.activity, found.id):
                return found
        raise NotFound(f"No involvement rate for {activity!r}.")

    def set_rate(self, activity: str, *, unit: str, amount_pence: int, source: str = "") -> Rate:
        """Add a rate or change the one of ``activity`` (an admin's task on the faces)."""
        name = " ".join(str(activity).split())
        problems = _amount_problems(amount_pence)
        if not name or len(name) > 200:
            problems.append(Problem("name the activity (1 to 200 characters)", field="activity"))
        if unit not in RATE_UNITS:
            problems.append(Problem(f"one of {', '.join(RATE_UNITS)}", field="unit"))
        if problems:
            raise ValidationError("Cannot set the rate.", problems=problems)
        self._seed()
        values = {"unit": unit, "amount_pence": amount_pence, "source": source.strip()}
        with self._ws.write() as connection:
            row = connection.execute(
                select(involvement_rates).where(involvement_rates.c.activity == name)
            ).first()
            if row is None:
                insert_record(
                    connection,
                    involvement_rates,
                    {"activity": name, **values},
                    actor=self._ws.actor,
                    entity_type="involvement rate",
                )
            else:
                if row.deleted_at is not None:  # a rate taken out and set again
                    restore_record(
                        connection,
                        involvement_rates,
                        row.id,
                        expected_version=None,
                        actor=self._ws.actor,
                        entity_type="involvement rate",
                    )
                update_record(
                    connection,
                    involvement_rates,
                    row.id,
                    values,
                    expected_version=None,
                    actor=self._ws.actor,
                    entity_type="involvement rate",
                )
        return self.rate(name)

    def remove_rate(self, activity: str) -> None:
        """Take a rate (by activity or id) out of the table; payments made at it keep their
        amounts."""
        found = self.rate(activity)
        with self._ws.write() as connection:
            soft_delete_record(
                connection,
                involvement_rates,
                found.id,
                expected_version=None,
                actor=self._ws.actor,
                entity_type="involvement rate",
            )

    def _seed(self) -> None:
        """Store the example rates when the table has never held a rate."""
        with self._ws.read() as connection:
            if connection.execute(select(involvement_rates.c.id).limit(1)).first():
                return
        with self._ws.write() as connection:
            if connection.execute(select(involvement_rates.c.id).limit(1)).first():
                return
            for activity, unit, pence in EXAMPLE_RATES:
                insert_record(
                    connection,
                    involvement_rates,
                    {
                        "activity": activity,
                        "unit": unit,
                        "amount_pence": pence,
                        "source": NIHR_SOURCE,
                    },
                    actor=self._ws.actor,
                    entity_type="involvement rate",
                )

    # -- payments ---------------------------------------------------------------------------
    def add(
        self,
        participant: str,
        *,
        activity: str,
        kind: str = "payment",
        amount_pence: int | None = None,
        units: float = 1,
        paid_on: date | None = None,
        event: str | None = None,
        note: str = "",
    ) -> Payment:
        """Record a payment or voucher to a participant (id or pseudonym code).

        Without ``amount_pence`` the amount is the activity's rate times ``units`` (e.g. 3 for
        three hours), rounded to the penny; an activity without a rate then needs an amount.
        """
        problems: list[Problem] = []
        name = " ".join(str(activity).split())
        if not name or len(name) > 200:
            problems.append(Problem("name the activity (1 to 200 characters)", field="activity"))
        if kind not in PAYMENT_KINDS:
            problems.append(Problem(f"one of {', '.join(PAYMENT_KINDS)}", field="kind"))
        if not (isinstance(units, int | float) and 0 < units <= 1000):
            problems.append(Problem("a number of units from more than 0 to 1000", field="units"))
        if paid_on is not None and not (
            date(FIRST_TAX_YEAR, 4, 6) <= paid_on <= date.today() + timedelta(days=366)
        ):
            problems.append(
                Problem(
                    f"a day from 6 April {FIRST_TAX_YEAR} to a year from today", field="paid_on"
                )
            )
        if amount_pence is None and not problems:
            rate = {r.activity: r for r in self.rates()}.get(name)
            if rate is None:
                problems.append(
                    Problem(
                        f"no rate for {name!r}: give the amount, or add a rate first",
                        field="amount_pence",
                    )
                )
            else:
                amount_pence = round(rate.amount_pence * units)
        if amount_pence is not None:
            problems += _amount_problems(amount_pence)
        with self._ws.write() as connection:
            participant_id = self._ws.participants.id_of(connection, participant)
            problems += _event_problems(connection, event)
            if problems:
                raise ValidationError("Cannot record the payment.", problems=problems)
            row = insert_record(
                connection,
                involvement_payments,
                {
                    "participant_id": participant_id,
                    "event_id": event,
                    "activity": name,
                    "kind": kind,
                    "amount_pence": amount_pence,
                    "paid_on": paid_on or date.today(),
                    "note": note.strip(),
                },
                actor=self._ws.actor,
                entity_type="involvement payment",
            )
        return self.get(row["id"])

    def get(self, payment_id: str) -> Payment:
        found = self._select(ids=[payment_id])
        if not found:
            raise NotFound(f"No involvement payment {payment_id!r}.")
        return found[0]

    def list(
        self,
        *,
        participant: str | None = None,
        tax_year: str | None = None,
        event: str | None = None,
    ) -> builtins.list[Payment]:
        """Payments and vouchers, oldest first; of one participant, tax year or event."""
        participant_id = None
        if participant is not None:
            with self._ws.read() as connection:
                participant_id = self._ws.participants.id_of(connection, participant)
        return self._select(participant_id=participant_id, tax_year=tax_year, event=event)

    def remove(self, payment_id: str) -> None:
        """Take back a payment recorded in error (it stays in the audit trail)."""
        self.get(payment_id)
        with self._ws.write() as connection:
            soft_delete_record(
                connection,
                involvement_payments,
                payment_id,
                expected_version=None,
                actor=self._ws.actor,
                entity_type="involvement payment",
            )

    def _select(
        self,
        *,
        ids: Iterable[str] | None = None,
        participant_id: str | None = None,
        tax_year: str | None = None,
        event: str | None = None,
    ) -> builtins.list[Payment]:
        query = (
            select(involvement_payments, participants.c.code)
            .join(participants, participants.c.id == involvement_payments.c.participant_id)
            .where(involvement_payments.c.deleted_at.is_(None))
            .order_by(
                involvement_payments.c.paid_on,
                participants.c.code,
                involvement_payments.c.created_at,
            )
        )
        if ids is not None:
            query = query.where(involvement_payments.c.id.in_(list(ids)))
        if participant_id is not None:
            query = query.where(involvement_payments.c.participant_id == participant_id)
        if event is not None:
            query = query.where(involvement_payments.c.event_id == event)
        if tax_year is not None:
            first, last = tax_year_span(tax_year)
            query = query.where(involvement_payments.c.paid_on.between(first, last))
        with self._ws.read() as connection:
            return [_payment_of(row) for row in connection.execute(query)]

    # -- totals -----------------------------------------------------------------------------
    def threshold_pence(self) -> int:
        """The project's warning threshold (``payment_warning_pence``)."""
        return int(self._ws.project_settings.get("payment_warning_pence"))

    def totals(
        self, *, tax_year: str | None = None, participant: str | None = None
    ) -> builtins.list[YearTotal]:
        """Each person's total per tax year (of one year or person when named), with where it
        stands against the threshold; by tax year, then largest total first."""
        threshold = self.threshold_pence()
        sums: dict[tuple[str, str], list[Any]] = {}
        for payment in self.list(participant=participant, tax_year=tax_year):
            entry = sums.setdefault(
                (payment.tax_year, payment.participant_id), [payment.code, 0, 0]
            )
            entry[1] += payment.amount_pence
            entry[2] += 1
        totals = [
            YearTotal(pid, code, year, total, count, threshold, _standing(total, threshold))
            for (year, pid), (code, total, count) in sums.items()
        ]
        return sorted(totals, key=lambda t: (t.tax_year, -t.total_pence, t.code))

    def warnings(self, *, tax_year: str | None = None) -> builtins.list[YearTotal]:
        """The tax-year totals near (from 80%) or over the threshold."""
        return [t for t in self.totals(tax_year=tax_year) if t.status != "ok"]

    # -- the finance export -----------------------------------------------------------------
    def finance_rows(self, *, tax_year: str | None = None) -> builtins.list[dict[str, Any]]:
        """The finance export as records: pseudonym code, date, activity, kind, amount."""
        return [
            dict(zip(FINANCE_COLUMNS, p.finance_row(), strict=True))
            for p in self.list(tax_year=tax_year)
        ]

    def export_finance(self, target: FileTarget, *, tax_year: str | None = None) -> int:
        """Write the finance CSV (:data:`FINANCE_COLUMNS`) to a path or binary stream; returns
        how many payments it holds. No cell is written as a spreadsheet formula."""
        payments = self.list(tax_year=tax_year)
        _write_csv(target, FINANCE_COLUMNS, (p.finance_row() for p in payments), "payments.csv")
        return len(payments)

    def export_totals(self, target: FileTarget, *, tax_year: str | None = None) -> int:
        """Write the tax-year totals as CSV (code, tax year, total, payments, status)."""
        totals = self.totals(tax_year=tax_year)
        columns = ("code", "tax_year", "total_pence", "payments", "status")
        rows = ([t.code, t.tax_year, t.total_pence, t.payments, t.status] for t in totals)
        _write_csv(target, columns, rows, "payment-totals.csv")
        return len(totals)


def _write_csv(
    target: FileTarget, columns: Iterable[str], rows: Iterable[Iterable[Any]], name: str
) -> None:
    from mobilise.formats.safe_cells import csv_writer
    from mobilise.workspace._files import write_bytes

    out = io.StringIO(newline="")
    writer = csv_writer(out)  # no cell is written as a spreadsheet formula
    writer.writerow(columns)
    writer.writerows(rows)
    write_bytes(target, out.getvalue().encode("utf-8"), name=name)


def _event_problems(connection: Connection, event: str | None) -> list[Problem]:
    if event is None:
        return []
    found = connection.execute(
        select(engagement_events.c.id).where(
            engagement_events.c.id == event, engagement_events.c.deleted_at.is_(None)
        )
    ).first()
    return [] if found else [Problem(f"no event {event!r}", field="event")]
