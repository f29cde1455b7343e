"""The codebook: measures, pillars and their vocabulary, as data that every stage reads."""

from weerbaar.codebook.loader import BUILTIN_CODEBOOK, load_codebook
from weerbaar.codebook.model import Codebook, Element, Measure, Pillar

__all__ = ["BUILTIN_CODEBOOK", "Codebook", "Element", "Measure", "Pillar", "load_codebook"]
