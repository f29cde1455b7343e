"""``python -m weerbaar`` runs the command line."""

from weerbaar.cli.main import run

run()
