"""The ``weerbaar`` command: a thin shell that parses input, calls the core and shows the result."""
