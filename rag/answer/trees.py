"""Scoring with a LightGBM model from its text format, in numpy, without importing LightGBM.

`lightgbm` imports scikit-learn, which costs about two seconds at start-up: a price a one-shot
`python -m rag ask` should not pay to score forty candidates. Training still uses LightGBM;
this reads the file it writes (`Booster.save_model`) and walks all trees at once.
Only numerical splits are supported (the answerer's features are all numbers); a model with
categorical splits is refused.
"""

from __future__ import annotations

import numpy as np

_ZERO = 1e-35  # LightGBM's kZeroThreshold: |x| at most this counts as zero


class Trees:
    """The trees of one LightGBM model, padded into (trees × nodes) arrays."""

    def __init__(self, text: str) -> None:
        trees = [_fields(block) for block in text.split("\nTree=")[1:]]
        header = _fields(text.split("\nTree=")[0])
        if not trees or "max_feature_idx" not in header:
            raise ValueError("not a LightGBM model: no trees")
        self.num_feature = int(header["max_feature_idx"]) + 1
        if any(int(t.get("num_cat", "0")) for t in trees):
            raise ValueError("categorical splits are not supported")
        width = max(int(t["num_leaves"]) for t in trees)
        n = len(trees)
        self.feature = np.zeros((n, max(1, width - 1)), dtype=np.int64)
        self.threshold = np.zeros((n, max(1, width - 1)))
        self.decision = np.zeros((n, max(1, width - 1)), dtype=np.int64)
        self.left = np.full((n, max(1, width - 1)), -1, dtype=np.int64)
        self.right = np.full((n, max(1, width - 1)), -1, dtype=np.int64)
        self.leaf = np.zeros((n, width))
        self.single = np.zeros(n, dtype=bool)  # a tree of one leaf
        for i, t in enumerate(trees):
            leaves = _numbers(t["leaf_value"], float)
            self.leaf[i, :len(leaves)] = leaves
            if int(t["num_leaves"]) == 1:
                self.single[i] = True
                continue
            for name, kind in (("feature", int), ("threshold", float), ("decision", int),
                               ("left", int), ("right", int)):
                key = {"feature": "split_feature", "decision": "decision_type",
                       "left": "left_child", "right": "right_child"}.get(name, name)
                values = _numbers(t[key], kind)
                getattr(self, name)[i, :len(values)] = values

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The raw score of each row of `x` (what `Booster.predict` returns)."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.num_feature:
            raise ValueError(f"expected rows of {self.num_feature} features, got {x.shape}")
        n_trees, width = self.feature.shape
        rows = len(x)
        # Every (tree, row) pair walks down its tree; each step gathers for the pairs still at
        # an inner node only, so the work is the paths' total length, not the deepest path's
        # length times all pairs.
        tree = np.repeat(np.arange(n_trees), rows)
        row = np.tile(np.arange(rows) * self.num_feature, n_trees)
        node = np.where(np.repeat(self.single, rows), -1, 0)
        flat = x.ravel()
        feature, threshold = self.feature.ravel(), self.threshold.ravel()
        decision = self.decision.ravel()
        left_child, right_child = self.left.ravel(), self.right.ravel()
        active = np.flatnonzero(node >= 0)
        while active.size:
            at = tree[active] * width + node[active]
            value = flat[row[active] + feature[at]]
            kind = decision[at]
            missing = (kind >> 2) & 3  # 0 none, 1 zero, 2 NaN
            nan = np.isnan(value)
            left = np.where(nan & (missing != 2), 0.0, value) <= threshold[at]
            if (missing != 0).any():
                default_left = (kind & 2) != 0
                left = np.where((missing == 1) & (np.abs(np.nan_to_num(value)) <= _ZERO)
                                | (missing == 2) & nan, default_left, left)
            step = np.where(left, left_child[at], right_child[at])
            node[active] = step
            active = active[step >= 0]
        leaf = tree * self.leaf.shape[1] + ~node
        return self.leaf.ravel()[leaf].reshape(n_trees, rows).sum(axis=0)


def _fields(block: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in block.splitlines() if "=" in line)


def _numbers(text: str, kind: type) -> list:
    return [kind(v) for v in text.split()]
