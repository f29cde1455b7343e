"""weerbaar: evidence of local resilience policy, from the organisations' own documents."""

__version__ = "0.1.0"
