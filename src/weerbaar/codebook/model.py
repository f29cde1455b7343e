"""The codebook's shape, validated with pydantic. Field docs double as the format reference."""

from __future__ import annotations

import hashlib
import json
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Element(_Strict):
    """A concrete element of evidence for a measure (e.g. 'a list of designated locations')."""

    id: str = Field(description="Short key, unique within the measure.")
    label: str = Field(description="What the element is, in Dutch.")
    terms: list[str] = Field(default_factory=list, description="Words that reveal the element.")


class Examples(_Strict):
    positive: list[str] = Field(default_factory=list, description="Sentences that are evidence.")
    negative: list[str] = Field(default_factory=list, description="Similar sentences that are not.")


class Measure(_Strict):
    id: str = Field(description="Number as in the handreiking, e.g. '2.2'.")
    label: str
    crucial: bool = Field(default=False, description="One of the most crucial measures of its pillar.")
    text: str = Field(description="The measure as the handreiking states it.")
    lead: list[str] = Field(default_factory=list, description="Who is finally responsible.")
    partners: list[str] = Field(default_factory=list)
    terms: list[str] = Field(default_factory=list, description="Vocabulary: synonyms, abbreviations.")
    examples: Examples = Field(default_factory=Examples)
    elements: list[Element] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_form(cls, value: str) -> str:
        parts = value.split(".")
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise ValueError(f"maatregelnummer '{value}' heeft niet de vorm pijler.nummer (bijv. 2.2)")
        return value

    @model_validator(mode="after")
    def _unique_elements(self) -> Measure:
        ids = [e.id for e in self.elements]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"element-id's komen dubbel voor: {', '.join(dupes)}")
        return self


class Stage(_Strict):
    """A step on the scale from context (0) to tested/embedded (4), with the cues that reveal it."""

    level: int = Field(ge=0, le=9, description="0 context, 1 intention, 2 planning, 3 execution, 4 tested.")
    label: str
    description: str = ""
    cues: list[str] = Field(default_factory=list, description="Regular expressions (case-insensitive).")

    @field_validator("cues")
    @classmethod
    def _cues_compile(cls, cues: list[str]) -> list[str]:
        for cue in cues:
            try:
                re.compile(cue)
            except re.error as exc:
                raise ValueError(f"cue '{cue}' is geen geldige reguliere expressie ({exc})") from None
        return cues


class TermList(_Strict):
    label: str
    terms: list[str] = Field(default_factory=list)


class Pillar(_Strict):
    id: int
    name: str
    authority: str | None = None
    measures: list[Measure]

    @model_validator(mode="after")
    def _measures_belong(self) -> Pillar:
        for m in self.measures:
            if m.id.split(".")[0] != str(self.id):
                raise ValueError(f"maatregel {m.id} staat onder pijler {self.id}")
        return self


class Codebook(_Strict):
    name: str
    version: str
    language: str = "nl"
    source: dict[str, str] = Field(default_factory=dict)
    phases: list[str] = Field(default_factory=list)
    stages: list[Stage] = Field(default_factory=list, description="The stage scale with its cues.")
    context: TermList | None = Field(default=None, description="Words that place text in a crisis context.")
    vulnerable_groups: TermList | None = Field(default=None, description="Words for people in a vulnerable position.")
    pillars: list[Pillar]

    @model_validator(mode="after")
    def _unique_ids(self) -> Codebook:
        ids = [m.id for p in self.pillars for m in p.measures]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"maatregelnummers komen dubbel voor: {', '.join(dupes)}")
        pillar_ids = [p.id for p in self.pillars]
        if len(set(pillar_ids)) != len(pillar_ids):
            raise ValueError("pijlernummers komen dubbel voor")
        return self

    @property
    def measures(self) -> list[Measure]:
        return [m for p in self.pillars for m in p.measures]

    def measure(self, measure_id: str) -> Measure:
        for m in self.measures:
            if m.id == measure_id:
                return m
        raise KeyError(measure_id)

    @property
    def fingerprint(self) -> str:
        """A short hash of the content, stored with results so they say which codebook made them."""
        return hashlib.sha256(json.dumps(self.model_dump(), sort_keys=True).encode()).hexdigest()[:12]

    def pillar_of(self, measure_id: str) -> Pillar:
        return next(p for p in self.pillars if any(m.id == measure_id for m in p.measures))
