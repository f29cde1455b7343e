"""The five states of a verdict and their rules, worded on the codebook's stage scale.

The rules are written once in a report's method section; each verdict carries its state's rule.
"""

from __future__ import annotations

from weerbaar.codebook.model import StageScale

LEVELS = ("hoog", "midden", "laag")
NO_EVIDENCE = "geen bewijs gevonden"
NOT_ASSESSED = "niet beoordeeld"
STATES = (*LEVELS, NO_EVIDENCE, NOT_ASSESSED)


def _levels_text(scale: StageScale, low: int, high: int) -> str:
    """'fase 2 (planning)', 'fase 0–1 (context, intentie)': a range of the scale with its labels."""
    labels = ", ".join(scale.label(level) for level in range(low, high + 1))
    return f"fase {low}{f'–{high}' if high > low else ''} ({labels})"


def rules(scale: StageScale) -> dict[str, str]:
    """The rule of each state, in the words of the codebook's stage scale."""
    execution = _levels_text(scale, scale.execution, scale.execution)
    planning = _levels_text(scale, scale.planning, scale.execution - 1)
    return {
        "hoog": f"Hoog: minstens één relevante passage toont {execution}"
                f"{' of hoger' if scale.execution < scale.maximum else ''} en, als de maatregel concrete "
                "bewijselementen heeft, is minstens de helft daarvan aangetoond.",
        "midden": f"Midden: de relevante passages komen tot {planning}, of {execution} is getoond maar minder dan "
                  "de helft van de bewijselementen is aangetoond.",
        "laag": (f"Laag: de relevante passages tonen alleen {_levels_text(scale, 0, scale.planning - 1)}."
                 if scale.planning > 0 else "Laag: komt op deze fasenschaal niet voor (elke fase telt als plan)."),
        **FIXED_RULES,
    }


FIXED_RULES = {
    NO_EVIDENCE: "Geen bewijs gevonden: de wachtrij van de maatregel is voor deze organisatie afgewerkt (tot het "
                 "stopadvies, of er stond geen kandidaat boven de drempel meer open) en geen passage was relevant; "
                 "voorlopig: de analyse vond niets boven de drempel. Telt als laag, zoals in de landelijke "
                 "inventarisatie.",
    NOT_ASSESSED: "Niet beoordeeld: niemand heeft de wachtrij van deze maatregel voor deze organisatie afgewerkt; "
                  "er is (nog) niets over te zeggen.",
}
