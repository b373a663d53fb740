"""What every command shares: the workspace option, output, progress bars."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mobilise.settings import Settings
from mobilise.workspace import Workspace, open_workspace

FileArg = Annotated[Path, typer.Argument(help="The file to import.", exists=True, dir_okay=False)]
SourceOpt = Annotated[str | None, typer.Option("--source", help="Title and publisher of the data.")]
LicenceOpt = Annotated[str | None, typer.Option("--licence", help="Licence, e.g. OGL-UK-3.0.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]

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
        return open_workspace(self.location, actor=self.settings.user)


def state(ctx: typer.Context) -> State:
    found = ctx.find_root().obj
    assert isinstance(found, State)
    return found


def print_json(value: Any) -> None:
    """JSON for scripts: plain text on stdout, no colour or wrapping."""
    typer.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Any]:
    """A callback ``(step, done, total)`` drawing a rich progress bar on stderr."""
    if not enabled:
        yield lambda _s, _d, _t: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as bar:
        tasks: dict[str, Any] = {}

        def report(step: str, done: int, total: int) -> None:
            key = "main"
            if key not in tasks:
                tasks[key] = bar.add_task(step, total=total)
            bar.update(tasks[key], description=step, completed=done, total=total)

        yield report
