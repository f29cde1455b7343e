"""Where the CLI writes: results to stdout, messages and progress to stderr."""

from __future__ import annotations

import json
import sys

from rich.console import Console

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def print_error(message: str, hint: str | None = None) -> None:
    err.print(f"[bold red]Fout:[/] {message}", markup=True)
    if hint:
        err.print(f"[yellow]Tip:[/] {hint}")
