"""What every ``dedup`` command shares: the error console, the one-line error
handling that maps ``DedupError`` to exit codes, progress bars and durations."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from dedup.errors import ConfigError, DedupError
from dedup.io.fields import FieldMap

stderr = Console(stderr=True, highlight=False, soft_wrap=True)

_PHASES = {"read": "reading", "sign": "signing", "verify": "verifying", "cluster": "clustering"}

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*")


def seconds_of(text: str, option: str) -> float:
    """A duration such as ``7d``, ``36h``, ``90m`` or ``2w`` in seconds."""
    found = _DURATION.fullmatch(text)
    if not found or float(found.group(1)) <= 0:
        raise ConfigError(f"{option} takes a duration such as 7d, 36h or 90m, got {text!r}")
    return float(found.group(1)) * _UNITS[found.group(2)]


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def bytes_of(text: str, option: str) -> int:
    """A size such as ``64G``, ``512MiB`` or ``1000000`` in bytes."""
    found = _SIZE.fullmatch(text.strip())
    if not found or float(found.group(1)) <= 0:
        raise ConfigError(f"{option} takes a size such as 64G, 512M or 100000, got {text!r}")
    return int(float(found.group(1)) * _SIZE_UNITS[found.group(2).upper()])


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Progress | None]:
    if not enabled:
        yield None
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} done"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=stderr, transient=True) as progress:
        yield progress


@contextmanager
def progress_reporter(enabled: bool) -> Iterator[Callable[[str, int], None]]:
    """A ``Progress`` callback for the library that draws one bar per phase."""
    with progress_bar(enabled) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(phase: str, advance: int) -> None:
            if bar is None:
                return
            if phase not in tasks:
                tasks[phase] = bar.add_task(_PHASES.get(phase, phase), total=None)
            bar.advance(tasks[phase], advance)

        yield progress


@contextmanager
def user_errors() -> Iterator[None]:
    """User errors become one line on stderr and their exit code, never a traceback."""
    try:
        yield
    except DedupError as error:
        stderr.print(f"error: {error}", markup=False)
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:
        stderr.print("interrupted", markup=False)
        raise typer.Exit(130) from None


#: the input field options ``scan`` and ``report`` share (typer names each after its parameter)
IdField = Annotated[str, typer.Option(help="Input field holding the id.")]
TextField = Annotated[str, typer.Option(help="Input field holding the text.")]
TitleField = Annotated[str, typer.Option(help="Input field holding the headline.")]
UrlField = Annotated[str, typer.Option(help="Input field holding the URL.")]
OutletField = Annotated[str, typer.Option(help="Input field holding the outlet.")]
TimeField = Annotated[str, typer.Option(help="Input field holding the publish time (ISO 8601).")]
PointerField = Annotated[str, typer.Option(help="Input field holding a link to the parent page.")]


def field_map(
    id_field: str,
    text_field: str,
    title_field: str,
    url_field: str,
    outlet_field: str,
    time_field: str,
    pointer_field: str,
) -> FieldMap:
    """The field options as the readers take them."""
    return FieldMap(
        id=id_field,
        text=text_field,
        title=title_field,
        url=url_field,
        outlet=outlet_field,
        published_at=time_field,
        pointer=pointer_field,
    )
