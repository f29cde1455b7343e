"""Re-ranking a review queue from decisions, the estimate of what remains, the stop suggestion."""

import numpy as np

from weerbaar.classify.model import FEATURES, RelevanceModel
from weerbaar.review.active import MIN_EACH, QueueState, rerank, should_stop


def prior_that_likes_feature_zero():
    coef = [0.0] * len(FEATURES)
    coef[0] = 4.0
    return RelevanceModel(coef=coef, intercept=-2.0, threshold=0.5)


def test_without_enough_decisions_the_prior_order_stands():
    rng = np.random.default_rng(0)
    x = rng.random((30, len(FEATURES))).astype(np.float32)
    prior = prior_that_likes_feature_zero()
    state = rerank(x, prior.probability(x), {0: True, 1: False})
    expected = [i for i in np.argsort(-prior.probability(x), kind="stable") if i not in (0, 1)]
    assert state.order == expected and 0 not in state.order


def test_decisions_teach_the_queue_what_the_prior_missed():
    rng = np.random.default_rng(1)
    x = rng.random((200, len(FEATURES))).astype(np.float32)
    relevant = x[:, 2] > 0.8  # truth follows feature 2; the prior looks only at feature 0
    prior = prior_that_likes_feature_zero()
    reviewed = list(np.flatnonzero(relevant)[: MIN_EACH + 3]) + list(np.flatnonzero(~relevant)[:30])
    state = rerank(x, prior.probability(x), {int(i): bool(relevant[i]) for i in reviewed})
    top = state.order[:10]
    prior_top = [i for i in np.argsort(-prior.probability(x)) if i not in reviewed][:10]
    assert relevant[top].sum() > relevant[prior_top].sum()


def test_expected_remaining_and_the_stop_suggestion():
    x = np.zeros((10, len(FEATURES)), dtype=np.float32)
    state = rerank(x, prior_that_likes_feature_zero().probability(x), {})
    assert 0 < state.expected_remaining < 10  # the sum of the calibrated probabilities of the open ones
    assert should_stop(QueueState([1], np.zeros(2), 0.2), [True])  # less than half a passage expected
    assert should_stop(QueueState([1], np.zeros(2), 5.0), [True] + [False] * 20)  # a long run of no's
    assert not should_stop(QueueState([1], np.zeros(2), 5.0), [False] * 19 + [True])
