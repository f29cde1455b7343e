"""The codebook's shape, validated with pydantic. Field docs double as the format reference."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator


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


@dataclass(frozen=True)
class StageScale:
    """The stage scale a codebook defines: each level's Dutch label, and which levels mean that a
    plan exists (a verdict of at least 'midden') and that the measure is carried out ('hoog')."""

    labels: dict[int, str]
    planning: int
    execution: int
    phrases: dict[int, str] = field(default_factory=dict)  # how a summary sentence says a passage shows it

    def phrase(self, level: int) -> str:
        """'beschrijft een plan': what a passage at ``level`` does, for a summary sentence."""
        return self.phrases.get(level) or f"toont fase {level} ({self.label(level)})"

    @property
    def levels(self) -> list[int]:
        return sorted(self.labels)

    @property
    def maximum(self) -> int:
        return max(self.labels)

    def label(self, level: int) -> str:
        return self.labels.get(level, "")

    def choices(self) -> str:
        """'0 tot en met 4', for a message that names the levels one may choose."""
        return f"{self.levels[0]} tot en met {self.maximum}"


#: The VNG handreiking's scale; the scale of a codebook that lists no stages of its own.
DEFAULT_STAGE_LABELS = {0: "context", 1: "intentie", 2: "planning", 3: "uitvoering", 4: "getest of geborgd"}
DEFAULT_PLANNING_STAGE, DEFAULT_EXECUTION_STAGE = 2, 3
DEFAULT_STAGE_PHRASES = {0: "beschrijft de context", 1: "spreekt een voornemen uit", 2: "beschrijft een plan",
                         3: "meldt uitvoering", 4: "meldt dat het getest of geborgd is"}
DEFAULT_SCALE = StageScale(DEFAULT_STAGE_LABELS, DEFAULT_PLANNING_STAGE, DEFAULT_EXECUTION_STAGE, DEFAULT_STAGE_PHRASES)


class Stage(_Strict):
    """A step on the codebook's scale (the VNG scale: 0 context … 4 tested/embedded), with the cues that reveal it."""

    level: int = Field(ge=0, le=9, description="The stage's number: the levels run 0, 1, 2, … without gaps.")
    label: str = Field(description="Its name in Dutch, shown to reviewers and in reports (e.g. 'uitvoering').")
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
    stages: list[Stage] = Field(default_factory=list,
                                description="The stage scale with its cues; none: the VNG scale 0–4.")
    planning_stage: int = Field(default=DEFAULT_PLANNING_STAGE, validate_default=True,
                                description="The level that means a plan exists (from here a verdict is 'midden').")
    execution_stage: int = Field(default=DEFAULT_EXECUTION_STAGE, validate_default=True,
                                 description="The level that means the measure is carried out ('hoog').")
    context: TermList | None = Field(default=None, description="Words that place text in a crisis context.")
    vulnerable_groups: TermList | None = Field(default=None, description="Words for people in a vulnerable position.")
    pillars: list[Pillar]

    @field_validator("stages")
    @classmethod
    def _levels_without_gaps(cls, stages: list[Stage]) -> list[Stage]:
        levels = sorted(s.level for s in stages)
        if levels and levels != list(range(len(levels))):
            raise ValueError(f"de fasen moeten genummerd zijn 0, 1, 2, … zonder gaten of dubbele; nu: "
                             f"{', '.join(map(str, levels))}")
        return stages

    @field_validator("planning_stage", "execution_stage")
    @classmethod
    def _on_the_scale(cls, level: int, info: ValidationInfo) -> int:
        if "stages" not in info.data:
            return level  # the stages are invalid themselves; that error is reported
        levels = sorted(s.level for s in info.data["stages"]) or sorted(DEFAULT_STAGE_LABELS)
        if level not in levels:
            raise ValueError(f"fase {level} staat niet op de schaal van het codeboek "
                             f"({levels[0]} tot en met {levels[-1]})")
        if info.field_name == "execution_stage" and info.data.get("planning_stage", -1) >= level:
            raise ValueError(f"de uitvoeringsfase ({level}) moet hoger zijn dan de planfase "
                             f"({info.data['planning_stage']})")
        return level

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
    def scale(self) -> StageScale:
        """The stage scale: the codebook's own stages, or the VNG scale when it lists none."""
        labels = dict(sorted(({s.level: s.label for s in self.stages} or DEFAULT_STAGE_LABELS).items()))
        phrases = DEFAULT_STAGE_PHRASES if labels == DEFAULT_STAGE_LABELS else {}
        return StageScale(labels, self.planning_stage, self.execution_stage, phrases)

    @property
    def fingerprint(self) -> str:
        """A short hash of the content, stored with results so they say which codebook made them."""
        data = self.model_dump()
        # Fields added later count only when they differ from their default, so that a workspace
        # analysed before they existed keeps its analysis.
        for name, default in (("planning_stage", DEFAULT_PLANNING_STAGE), ("execution_stage", DEFAULT_EXECUTION_STAGE)):
            if data[name] == default:
                del data[name]
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]

    def pillar_of(self, measure_id: str) -> Pillar:
        return next(p for p in self.pillars if any(m.id == measure_id for m in p.measures))
