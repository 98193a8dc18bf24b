"""The numpy scorer of LightGBM text models gives LightGBM's own scores, NaN and zero included."""

from __future__ import annotations

import numpy as np
import pytest

from rag.answer.ranker import MODEL_DIR, RANKER_FILES, read_tree_text
from rag.answer.trees import Trees

lgb = pytest.importorskip("lightgbm")


def test_shipped_ranker_scores_as_lightgbm_does():
    text = read_tree_text(MODEL_DIR / RANKER_FILES[0])
    trees, booster = Trees(text), lgb.Booster(model_str=text)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, trees.num_feature)) * rng.choice([0.01, 1, 100], trees.num_feature)
    x[rng.random(x.shape) < 0.1] = 0.0
    x[rng.random(x.shape) < 0.05] = np.nan
    assert np.allclose(trees.predict(x), booster.predict(x), rtol=0, atol=1e-9)


def test_missing_values_follow_the_trained_default_direction(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 3))
    x[rng.random(x.shape) < 0.2] = np.nan  # NaN seen in training: splits learn where it goes
    y = (np.nan_to_num(x[:, 0], nan=2.0) > 0.5).astype(float) + 0.1 * np.nan_to_num(x[:, 1])
    model = lgb.train({"objective": "regression", "verbose": -1, "num_leaves": 7,
                       "deterministic": True, "num_threads": 1},
                      lgb.Dataset(x, y), num_boost_round=20)
    trees = Trees(model.model_to_string())
    test = rng.normal(size=(100, 3))
    test[rng.random(test.shape) < 0.3] = np.nan
    test[rng.random(test.shape) < 0.1] = 0.0
    assert np.allclose(trees.predict(test), model.predict(test), atol=1e-9)


def test_rows_of_the_wrong_width_and_non_models_are_refused():
    trees = Trees(read_tree_text(MODEL_DIR / RANKER_FILES[0]))
    with pytest.raises(ValueError, match="features"):
        trees.predict(np.zeros((2, trees.num_feature + 1)))
    with pytest.raises(ValueError, match="not a LightGBM model"):
        Trees("hello")
