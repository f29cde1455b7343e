"""The stage model on an ordered scale: median decision, cumulative (ordinal) model, context before a
passage, and the design chosen by leaving groups out. Every sentence is written for this test."""

import numpy as np

from weerbaar.classify.stage import STAGE_DESIGNS, StageDetector, StageModel, TextContext, fit_stage_model
from weerbaar.codebook import load_codebook

BOOK = load_codebook()
LEVELS = [0, 1, 2, 3, 4]


def _fixed(probabilities, decision):
    """A model without features whose distribution is ``probabilities`` whatever the text."""
    return StageModel(levels=LEVELS, features=["f"], coef=[[0.0]] * 5,
                      intercept=[float(np.log(p)) for p in probabilities], decision=decision)


def test_the_median_decision_picks_the_level_where_half_the_probability_is_reached():
    # Most probable: context (0.4); but 0.6 of the probability lies at planning or beyond, and the
    # cumulative probability reaches one half at planning (0.4 + 0.05 + 0.1 = 0.55).
    probabilities = [0.4, 0.05, 0.1, 0.25, 0.2]
    assert _fixed(probabilities, "argmax").decide(np.zeros(1)) == 0
    assert _fixed(probabilities, "median").decide(np.zeros(1)) == 2
    # On a clear-cut distribution both decide the same.
    assert _fixed([0.05, 0.05, 0.8, 0.05, 0.05], "median").decide(np.zeros(1)) == 2


def test_the_cumulative_model_gives_an_ordered_distribution_that_sums_to_one():
    # Logits of "above level k" for k = 0..3: a crossing pair (above 2 more likely than above 1) is made monotone.
    model = StageModel(levels=LEVELS, features=["f"], coef=[[0.0]] * 4, intercept=[2.0, -1.0, 0.5, -3.0],
                       kind="cumulative", decision="median")
    p = model.distribution(np.zeros(1))
    assert np.isclose(p.sum(), 1.0) and (p >= 0).all()
    assert p[2] == 0.0  # P(above 2) may not exceed P(above 1): nothing left for planning exactly
    assert model.decide(np.zeros(1)) == 1  # P(above 0) 0.88, P(above 1) 0.27: the median is intention


def test_a_heading_before_the_passage_fires_a_context_signal_but_is_never_shown_as_the_cue():
    detector = StageDetector(BOOK, model=False)
    names = detector.feature_names
    text = "De oefening stroomuitval met alle afdelingen staat gepland."
    annual = TextContext(doc_type="jaarverslag", year=2024, organisation_type="gemeente", known=True,
                         before="Programma Veiligheid\nWat hebben we bereikt?\n")
    x, words = detector.signals(text, annual)
    assert x[names.index("context_heading_realised")] == 1.0 and words["context_heading_realised"] == "Wat hebben we"
    assert x[names.index("context_heading_plan")] == 0.0
    budget = TextContext(doc_type="begroting", year=2025, organisation_type="gemeente", known=True,
                         before="Wat gaan we daarvoor doen?\n")
    x, _ = detector.signals(text, budget)
    assert x[names.index("context_heading_plan")] == 1.0 and x[names.index("context_heading_realised")] == 0.0
    # A model that leans on the heading decides, but shows words of the passage itself.
    coef = np.zeros((5, len(names)))
    coef[4, names.index("context_heading_realised")] = 5.0
    coef[4, names.index("exercise")] = 1.0
    model = StageModel(levels=LEVELS, features=names, coef=coef.tolist(), intercept=[0.0] * 5)
    result = StageDetector(BOOK, model=model).detect(text, annual, "eigen")
    assert result.stage == 4 and result.cue in text


def test_the_design_is_chosen_by_leaving_each_training_group_out():
    own = TextContext(doc_type="jaarverslag", year=2024, organisation_type="gemeente", known=True)
    texts = ["In de wijken zijn vijf noodsteunpunten aangewezen.", "In 2025 stellen wij een crisisplan op.",
             "We willen een netwerk van vrijwilligers opzetten.", "De oefening is met alle partners gehouden."] * 3
    stages = [3, 2, 1, 4] * 3
    groups = ["a"] * 4 + ["b"] * 4 + ["c"] * 4
    detector = StageDetector(BOOK, model=False)
    model = fit_stage_model(detector, texts, [own] * 12, ["eigen"] * 12, stages, "test", groups=groups)
    scores = model.extra["design_scores"]
    assert set(scores) == {"/".join(map(str, d)) for d in STAGE_DESIGNS}
    assert scores["/".join(map(str, (model.kind, model.decision, True)))] == max(scores.values()) \
        or scores["/".join(map(str, (model.kind, model.decision, False)))] == max(scores.values())
    # Fewer than three groups: nothing to choose by, the plain design.
    plain = fit_stage_model(detector, texts, [own] * 12, ["eigen"] * 12, stages, "test", groups=["a"] * 12)
    assert (plain.kind, plain.decision) == ("multinomial", "argmax") and not plain.extra


def test_the_window_decision_maximises_exact_plus_within_one_step():
    probabilities = [0.3, 1e-9, 0.2, 0.25, 0.25]
    assert _fixed(probabilities, "argmax").decide(np.zeros(1)) == 0
    assert _fixed(probabilities, "median").decide(np.zeros(1)) == 2
    # execution: 0.25 exact, and 0.2 + 0.25 + 0.25 within one step: 0.95, more than any other level
    assert _fixed(probabilities, "window").decide(np.zeros(1)) == 3
