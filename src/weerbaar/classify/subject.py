"""Whom a passage speaks for: the document's own organisation, or another body.

A municipal council bundle quotes the safety region's budget, a "verbonden partijen" paragraph
describes the GGD, a research report describes organisations in general. Evidence counts for the
organisation it is about, so each passage gets a subject kind — ``eigen``, ``veiligheidsregio``,
``ggd``, ``andere_gemeente``, ``rijk``, ``ander`` or ``algemeen`` — and, where the passage names
it, the body's name ("Veiligheidsregio Brabant-Zuidoost", "GGD Haaglanden"), with the words that
decided as the cue.

Rules, in the order a reader applies them, rather than a learned model: a logistic model fitted on
the labelled set did worse on every organisation it had not seen (the signals are few and the
groups differ a lot; BENCHMARKS.md), while these follow the labelling guide directly:

1. A document without an organisation of its own (a research report, a national guide) speaks for
   the GGD, another municipality, the national government or another body when it names them,
   else for nobody in particular (``algemeen``).
2. In a municipality's document, a passage that names the GGD/GHOR or the safety region (its
   board, its budget, the joint arrangement, the text just before it being a "verbonden partijen"
   paragraph or a zienswijze) and does not speak in the first person ("wij", "het college")
   speaks for that body; national government likewise; otherwise for the municipality itself.
3. In a safety region's document, the GGD or a named municipality when named, else the region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from weerbaar.classify.stage import TextContext
from weerbaar.organisations import find_safety_region

KINDS = ("eigen", "veiligheidsregio", "ggd", "andere_gemeente", "rijk", "ander", "algemeen")
_MENTIONS: dict[str, re.Pattern] = {
    "vr": re.compile(r"\b(?:veiligheidsregio|VR[A-Z]{1,4}|regionale brandweer|brandweer|meldkamer|"
                     r"algemeen bestuur|dagelijks bestuur|regionaal crisisplan)\b", re.IGNORECASE),
    "ggd": re.compile(r"\b(?:GGD|GHOR|publieke gezondheid|infectieziekte\w*|jeugdgezondheidszorg)\b", re.IGNORECASE),
    "gr": re.compile(r"\b(?:gemeenschappelijke regeling|verbonden partij\w*|zienswijze|ontwerpbegroting|"
                     r"deelnemende gemeenten|gemeentelijke bijdrage\w*|bijdrage van de gemeenten)\b", re.IGNORECASE),
    "rijk": re.compile(r"\b(?:het rijk|rijksoverheid|kabinet|ministerie|minister|staatssecretaris|NCTV|VNG|NIPV|"
                       r"landelijk\w*|nationale?|Tweede Kamer|wetsvoorstel)\b", re.IGNORECASE),
    "ander": re.compile(r"\b(?:waterschap\w*|netbeheerder\w*|drinkwaterbedrijf|waterbedrijf|Vitens|Evides|Dunea|"
                        r"Brabant Water|politie|Defensie|woningcorporatie\w*|zorginstelling\w*|Rode Kruis|"
                        r"ziekenhui\w+|Enexis|Stedin|Liander)\b", re.IGNORECASE),
    "self": re.compile(r"\b(?:wij|we|ons|onze|het college|onze gemeente|de gemeente)\b", re.IGNORECASE),
    "research": re.compile(r"\b(?:onderzoek\w*|respondent\w*|interview\w*|geïnterviewd\w*|gemeenten geven aan|"
                           r"uit de (?:analyse|inventarisatie)|bijvoorbeeld|veiligheidsregio's|gemeenten)\b",
                           re.IGNORECASE),
    "municipality": re.compile(r"\bgemeente ((?:Den |De |'s-|’s-)?[A-Z][\w'’-]+)"),
}
_NAMES = {
    "veiligheidsregio": re.compile(r"\bVeiligheidsregio(?: [A-Z][\w'’-]*(?:[ -](?:en |de )?[A-Z][\w'’-]*)*)?"),
    "ggd": re.compile(r"\bGGD(?:[ -][A-Z][\w'’-]*(?:[ -][A-Z][\w'’-]*)*)?"),
}


def _other_municipality(text: str, context: TextContext) -> re.Match | None:
    """The first "gemeente X" in ``text`` that is not the document's own organisation."""
    own = (context.organisation or "").lower()
    return next((m for m in _MENTIONS["municipality"].finditer(text) if m.group(1).lower() not in own), None)


@dataclass(frozen=True)
class Subject:
    kind: str
    name: str | None  # the body as named, or the document's own organisation for ``eigen``
    cue: str | None  # the words that decided


class SubjectDetector:
    def detect(self, text: str, context: TextContext = TextContext()) -> Subject:
        if not context.known:  # a loose text: nothing is known of its document
            return Subject("eigen", None, None)
        kind, cue = self._kind(text, context)
        return Subject(kind, self._name(kind, text, context), cue)

    @staticmethod
    def _kind(text: str, context: TextContext) -> tuple[str, str | None]:
        def named(name: str, source: str = text) -> str | None:
            m = _MENTIONS[name].search(source)
            return m.group(0) if m else None

        other = _other_municipality(text, context)
        other_municipality = other.group(0) if other else None
        first_person = named("self")
        if not context.organisation:
            for kind, cue in (("ggd", named("ggd")), ("andere_gemeente", other_municipality), ("rijk", named("rijk")),
                              ("veiligheidsregio", None if named("research") else named("vr")),
                              ("ander", named("ander"))):
                if cue:
                    return kind, cue
            return "algemeen", None
        if context.organisation_type == "veiligheidsregio":
            if not first_person and named("ggd"):
                return "ggd", named("ggd")
            if not first_person and other_municipality:
                return "andere_gemeente", other_municipality
            return "eigen", first_person
        if first_person:
            return "eigen", first_person
        before = context.before[-400:]
        region = named("vr") or named("gr") or (None if named("self", before) else named("gr", before))
        for kind, cue in (("ggd", named("ggd")), ("veiligheidsregio", region),
                          ("rijk", None if named("vr") else named("rijk"))):
            if cue:
                return kind, cue
        return "eigen", None

    @staticmethod
    def _name(kind: str, text: str, context: TextContext) -> str | None:
        if kind == "eigen":
            return context.organisation
        source = text + " " + context.before[-400:]
        if kind == "veiligheidsregio":  # one of the 25, by name or abbreviation ("VRBZO"), else unnamed
            candidates = [m.group(0) for m in _NAMES[kind].finditer(source)] + re.findall(r"\bVR[A-Z]{1,4}\b", source)
            for candidate in candidates:
                words = candidate.split()
                for n in range(len(words), 0, -1):
                    region = find_safety_region(" ".join(words[:n]))
                    if region:
                        return region.full_name
            return None
        if kind == "ggd":  # "GGD" + the name of its region ("GGD Haaglanden", "GGD BZO"), else unnamed
            for candidate in (m.group(0) for m in _NAMES[kind].finditer(source)):
                words = candidate.replace("-", " ", 1).split()[1:]
                for n in range(len(words), 0, -1):
                    region = (find_safety_region("Veiligheidsregio " + " ".join(words[:n]))
                              or find_safety_region("VR" + "".join(words[:n])))
                    if region:
                        return f"GGD {region.name}"
            return None
        if kind == "andere_gemeente":
            other = _other_municipality(text, context)
            return f"Gemeente {other.group(1)}" if other else None
        if kind == "rijk":
            return "Rijksoverheid"
        return None
