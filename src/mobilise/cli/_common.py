"""What every command shares: the workspace option, output, progress bars."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, overload

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mobilise.errors import ValidationError
from mobilise.model.partner_vocab import SECTORS, sector_code
from mobilise.settings import Settings

if TYPE_CHECKING:
    from mobilise.workspace import Workspace

FileArg = Annotated[Path, typer.Argument(help="The file to import.", exists=True, dir_okay=False)]
SourceOpt = Annotated[str | None, typer.Option("--source", help="Title and publisher of the data.")]
LicenceOpt = Annotated[str | None, typer.Option("--licence", help="Licence, e.g. OGL-UK-3.0.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]

SECTOR_HELP = "Sector, by code or name: " + "; ".join(f"{s.code} ({s.label})" for s in SECTORS)

console = Console()
err_console = Console(stderr=True)


@dataclass
class State:
    settings: Settings
    workspace_option: str | None = None

    @property
    def location(self) -> str:
        return self.workspace_option or self.settings.url

    def open(self) -> Workspace:
        # The workspace (and the database driver) load when a command needs them, not for --help.
        from mobilise.workspace import open_workspace

        return open_workspace(self.location, actor=self.settings.user, limits=self.settings.limits)


def state(ctx: typer.Context) -> State:
    found = ctx.find_root().obj
    assert isinstance(found, State)
    return found


def print_json(value: Any) -> None:
    """JSON for scripts: plain text on stdout, no colour or wrapping."""
    typer.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Any]:
    """A callback ``(step, done, total)`` drawing a rich progress bar on stderr.

    The bar appears with the first report, so a command that fails before its work starts (a
    file refused as it is read) prints only its error.
    """
    if not enabled:
        yield lambda _s, _d, _t: None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )
    tasks: dict[str, Any] = {}

    def report(step: str, done: int, total: int) -> None:
        if not tasks:
            bar.start()
            tasks["main"] = bar.add_task(step, total=total)
        bar.update(tasks["main"], description=step, completed=done, total=total)

    try:
        yield report
    finally:
        if tasks:
            bar.stop()


@overload
def parse_day(text: str) -> date: ...
@overload
def parse_day(text: None) -> None: ...
def parse_day(text: str | None) -> date | None:
    """A YYYY-MM-DD option as a date (None stays None)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{text!r} is not a date (YYYY-MM-DD).") from None


def parse_sector(text: str | None) -> str | None:
    """A sector option (code, label or alias, any case) as its code (None stays None)."""
    if text is None:
        return None
    code = sector_code(text)
    if code is None:
        raise ValidationError(f"Unknown sector {text!r}. {SECTOR_HELP}.")
    return code
