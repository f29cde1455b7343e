"""Classifying texts against a codebook: scores per measure, stage, subject, evidence elements, groups.

One :class:`Analyser` serves ``weerbaar analyseer`` (passages in a workspace), ``classificeer``
(texts from a file) and the evaluation, so all three compute exactly the same thing.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from weerbaar.classify.lexical import CorpusStats, MeasureVocabulary
from weerbaar.classify.model import RelevanceModel
from weerbaar.classify.stage import StageDetector, TextContext
from weerbaar.classify.subject import Subject, SubjectDetector
from weerbaar.classify.terms import FormMatcher, TermMatcher, word_forms
from weerbaar.embeddings import Embedder
from weerbaar.index.analysis import stems

if TYPE_CHECKING:
    from weerbaar.codebook.model import Codebook

#: Changes when what analysis derives besides the scores (stage, subject, elements) changes, so that
#: ``analyseer`` re-analyses stored passages (re-scoring, no re-embedding) after an upgrade.
ANALYSER_VERSION = "2026.12.3"
LEXICAL_SATURATION = 3.0
MAX_TERMS = 4


@dataclass
class TextResult:
    scores: np.ndarray  # probability per measure, codebook order
    features: np.ndarray  # (measures, FEATURES)
    stage: int
    stage_cue: str | None
    vulnerable_terms: list[str]
    element_terms: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # measure → element → terms
    subject: Subject | None = None  # whom the text speaks for


class Analyser:
    def __init__(self, codebook: Codebook, model: RelevanceModel, embedder: Embedder):
        self.codebook = codebook
        self.model = model
        self.embedder = embedder
        self.measure_ids = [m.id for m in codebook.measures]
        self.vocabulary = MeasureVocabulary(codebook)
        self.stage = StageDetector(codebook, default_stage=model.default_stage)
        self.subject = SubjectDetector()
        evidence_terms = [(f"{m.id}|{e.id}", t) for m in codebook.measures for e in m.elements for t in e.terms]
        if codebook.vulnerable_groups:
            evidence_terms += [("vulnerable", t) for t in codebook.vulnerable_groups.terms]
        # Elements and groups on whole written words with negation; context on stems (any form counts).
        self.evidence = FormMatcher(evidence_terms)
        self.context = TermMatcher([("context", t) for t in codebook.context.terms] if codebook.context else [])
        self._prototypes()

    def with_model(self, model: RelevanceModel) -> Analyser:
        """The same analyser (vocabulary, prototypes: no second embedding) with another model."""
        clone = copy.copy(self)
        clone.model = model
        clone.stage = StageDetector(self.codebook, default_stage=model.default_stage)
        return clone

    def _prototypes(self) -> None:
        texts, owners = [], []
        for i, m in enumerate(self.codebook.measures):
            for text in (f"{m.label}. {m.text}", ", ".join(m.terms), *m.examples.positive):
                if text.strip():
                    texts.append(text)
                    owners.append(i)
        negatives = [t for m in self.codebook.measures for t in m.examples.negative]
        vectors = self.embedder.encode(texts + negatives)
        self.proto_vectors = vectors[: len(texts)]
        self.proto_owner = np.asarray(owners)
        self.negative_vectors = vectors[len(texts) :]

    def context_share(self, text_stems: list[str]) -> float:
        """How many crisis-context words occur, scaled to [0, 1]."""
        return min(len(self.context.find(text_stems)), MAX_TERMS) / MAX_TERMS

    def features(self, texts: list[str], texts_stems: list[list[str]], vectors: np.ndarray,
                 stats: CorpusStats, embedded: np.ndarray | None = None) -> np.ndarray:
        """(texts, measures, FEATURES) for a batch (see :mod:`weerbaar.classify.model`).

        ``embedded`` (bool per text, default all): rows without a vector (the pre-filter passed
        them over) get every semantic feature as absent, zero.
        """
        n, m = len(texts_stems), len(self.measure_ids)
        context = np.array([self.context_share(s) for s in texts_stems], dtype=np.float32)[:, None]
        lexical = np.zeros((n, m), dtype=np.float32)
        distinct = np.zeros((n, m), dtype=np.float32)
        for i, s in enumerate(texts_stems):
            bm25, terms = self.vocabulary.score(s, stats)
            lexical[i], distinct[i] = bm25, terms
        keyword = np.array([self.vocabulary.written(t) for t in texts], dtype=np.float32).reshape(n, m)
        sims = vectors @ self.proto_vectors.T  # (n, prototypes)
        semantic = np.full((n, m), -1.0, dtype=np.float32)
        np.maximum.at(semantic.T, self.proto_owner, sims.T)
        specific = semantic - semantic.mean(axis=1, keepdims=True)
        top = 1.0 / (1.0 + np.argsort(np.argsort(-semantic, axis=1), axis=1))
        negative = (vectors @ self.negative_vectors.T).max(axis=1) if len(self.negative_vectors) else np.zeros(n)
        lexical = lexical / (lexical + LEXICAL_SATURATION)
        if embedded is not None and not embedded.all():
            absent = ~embedded
            semantic[absent] = specific[absent] = top[absent] = 0.0
            negative = np.where(absent, 0.0, negative)
        return np.stack([
            lexical,
            np.minimum(distinct, MAX_TERMS) / MAX_TERMS,
            keyword,
            semantic,
            specific,
            top,
            np.broadcast_to(negative[:, None], (n, m)),
            np.broadcast_to(context, (n, m)),
            lexical * context,
            semantic * context,
        ], axis=-1).astype(np.float32)

    def features_of(self, texts: list[str], vectors: np.ndarray, stats: CorpusStats | None = None,
                    embedded: np.ndarray | None = None, texts_stems: list[list[str]] | None = None) -> np.ndarray:
        """:meth:`features` from the texts themselves, with the shipped reference frequencies by default."""
        texts_stems = texts_stems if texts_stems is not None else [stems(t) for t in texts]
        return self.features(texts, texts_stems, vectors, stats or CorpusStats.reference(), embedded)

    def scores(self, feats: np.ndarray, vectors: np.ndarray, embedded: np.ndarray | None = None) -> np.ndarray:
        """The model's scores; rows without a vector get no measure weights on the embedding."""
        if embedded is None or embedded.all():
            return self.model.scores(feats, vectors, self.measure_ids)
        out = np.empty(feats.shape[:2], dtype=np.float32)
        if embedded.any():
            out[embedded] = self.model.scores(feats[embedded], vectors[embedded], self.measure_ids)
        out[~embedded] = self.model.scores(feats[~embedded], None, self.measure_ids)
        return out

    def analyse(self, texts: list[str], stats: CorpusStats, vectors: np.ndarray | None = None,
                contexts: list[TextContext] | None = None, embedded: np.ndarray | None = None,
                texts_stems: list[list[str]] | None = None) -> list[TextResult]:
        """Scores, stage, subject, elements and groups for each text; ``contexts`` describe their documents.

        ``embedded`` marks the rows of ``vectors`` that hold a real vector (default: all); the
        others are scored lexically only (see :mod:`weerbaar.classify.prefilter`).
        """
        if vectors is None:
            vectors = self.embedder.encode(texts)
        contexts = contexts or [TextContext()] * len(texts)
        feats = self.features_of(texts, vectors, stats, embedded, texts_stems)
        probabilities = self.scores(feats, vectors, embedded)
        results = []
        for i, text in enumerate(texts):
            subject = self.subject.detect(text, contexts[i])
            stage = self.stage.detect(text, contexts[i], subject.kind)
            found = self.evidence.group(self.evidence.find(word_forms(text)))
            element_terms: dict[str, dict[str, list[str]]] = {}
            for key, terms in found.items():
                if "|" in key:
                    measure, element = key.split("|", 1)
                    element_terms.setdefault(measure, {})[element] = sorted(terms)
            results.append(TextResult(
                scores=probabilities[i], features=feats[i], stage=stage.stage, stage_cue=stage.cue,
                vulnerable_terms=sorted(found.get("vulnerable", ())), element_terms=element_terms,
                subject=subject,
            ))
        return results

    def relevant(self, result: TextResult) -> list[tuple[str, float]]:
        """Measures above the model's threshold, best first."""
        order = np.argsort(-result.scores)
        return [(self.measure_ids[j], float(result.scores[j])) for j in order if result.scores[j] >= self.model.threshold]
