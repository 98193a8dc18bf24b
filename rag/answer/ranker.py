"""The learned parts of the answerer: LightGBM rankers over candidate units (their mean
score) and a LightGBM refusal classifier, both read from `rag/answer/models/` (written by
`python -m rag train`).

No pickle: every model is LightGBM's text format, gzipped (scored by `rag.answer.trees`
without importing LightGBM); the refusal features and threshold are plain JSON.
"""

from __future__ import annotations

import gzip
import json
import math
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.answer.features import FEATURES, SILENCE_FEATURES
from rag.answer.judgments import COURT_FEATURES
from rag.answer.trees import Trees
from rag.errors import AnswerModelError, SettingsError

MODEL_DIR = Path(__file__).parent / "models"
RANKER_FILE = "ranker.txt"
#: The ranker is the mean of LightGBM rankers that differ only in their random seed: one seed's
#: figures move by a point or two with the seed, their mean less (ablation in the README). The
#: manifest lists the files ("rankers"); model folders written before list none: RANKER_FILE.
RANKER_FILES = ("ranker.txt.gz", "ranker-1.txt.gz", "ranker-2.txt.gz")
#: Rankers for a court's judgment read whole, on FEATURES and COURT_FEATURES, learnt from the
#: written judgments alone (the manifest's "court_rankers"; none in older model folders).
COURT_RANKER_FILES = ("court-ranker.txt.gz", "court-ranker-1.txt.gz", "court-ranker-2.txt.gz")
REFUSAL_FILE = "refusal.json"
REFUSAL_TREES_FILE = "refusal.txt.gz"
#: A classifier of whether a judgment read whole states what was asked, on SILENCE_FEATURES of
#: the court ranker's scores (the manifest's "silence" holds its file and threshold; older model
#: folders have none, and only the rules refuse within a judgment).
SILENCE_TREES_FILE = "silence.txt.gz"
MANIFEST_FILE = "manifest.json"
#: Train-side answerable questions refused at most this often (the trained refusal threshold).
FALSE_REFUSAL_RATE = 0.02


def write_trees(text: str, path: Path) -> None:
    """A model's LightGBM text, gzipped: the text compresses about 2.5×, which keeps the
    shipped models under 5 MB. No timestamp in the header, so one text writes one file."""
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))


def read_tree_text(path: Path) -> str:
    """The LightGBM text `write_trees` wrote at `path`; model folders written before the files
    were gzipped hold the plain text under the name without `.gz`."""
    if path.suffix == ".gz" and not path.exists() and path.with_suffix("").exists():
        path = path.with_suffix("")
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")


def read_trees(path: Path) -> Trees:
    """The model at `path` (`read_tree_text`), ready to score."""
    return Trees(read_tree_text(path))


class AnswerModel:
    """Scores candidates (higher = more likely the answer) and the chance a question is
    answerable from what was retrieved."""

    def __init__(self, folder: str | Path = MODEL_DIR) -> None:
        self.folder = Path(folder)
        try:
            self.manifest = json.loads((self.folder / MANIFEST_FILE).read_text("utf-8"))
            refusal = json.loads((self.folder / REFUSAL_FILE).read_text("utf-8"))
            self.rankers = [read_trees(self.folder / name)
                            for name in self.manifest.get("rankers", [RANKER_FILE])]
            self.court_rankers = [read_trees(self.folder / name)
                                  for name in self.manifest.get("court_rankers", [])]
            self.court_margin = float(self.manifest.get("court_second_margin", 0.0))
            silence = self.manifest.get("silence")
            self.silence = read_trees(self.folder / silence["file"]) \
                if silence else None
            self.silence_threshold = float(silence["threshold"]) if silence else 0.0
            self.refusal_features: list[str] = refusal["features"]
            self.refusal = read_trees(self.folder / REFUSAL_TREES_FILE)
            self.threshold = float(refusal["threshold"])
            # Older model files have no table: only their one threshold can be used.
            self.thresholds = sorted((float(r), float(t)) for r, t in
                                     refusal.get("thresholds", {}).items())
            # Older model files have no margin: their answers stay one sentence.
            self.second_margin = float(self.manifest.get("second_margin", 0.0))
        except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError,
                zlib.error) as err:
            raise AnswerModelError(str(self.folder), f"{type(err).__name__}: {err}"[:200]) from err
        if self.manifest.get("features") != FEATURES or any(
                t.num_feature != len(FEATURES) for t in self.rankers):
            raise AnswerModelError(str(self.folder), "its features differ from the code's")
        if self.court_rankers and (self.manifest.get("court_features") != COURT_FEATURES or any(
                t.num_feature != len(FEATURES) + len(COURT_FEATURES) for t in self.court_rankers)):
            raise AnswerModelError(str(self.folder), "its court features differ from the code's")
        if self.silence and (self.manifest["silence"].get("features") != SILENCE_FEATURES or
                             self.silence.num_feature != len(SILENCE_FEATURES)):
            raise AnswerModelError(str(self.folder), "its silence features differ from the code's")
        if self.refusal.num_feature != len(self.refusal_features):
            raise AnswerModelError(str(self.folder), "the refusal model's features differ")

    def threshold_for(self, rate: float | None) -> float:
        """The refusal threshold that refused `rate` of the train-side answerable questions
        (`rag train` writes one per half per cent up to 10%); the trained one for None."""
        if rate is None:
            return self.threshold
        known = [r for r, _ in self.thresholds]
        if not known:
            raise AnswerModelError(str(self.folder), "it was trained without the thresholds "
                                   "REFUSAL_RATE chooses from; or leave REFUSAL_RATE unset")
        if not known[0] <= rate <= known[-1]:
            raise SettingsError(f"REFUSAL_RATE={rate:g}: the answer model has refusal "
                                f"thresholds for {known[0]:g} to {known[-1]:g} only")
        return float(np.interp(rate, known, [t for _, t in self.thresholds]))

    def rank(self, x: np.ndarray) -> np.ndarray:
        """Ranker scores of feature rows (one per candidate)."""
        if not len(x):
            return np.zeros(0)
        return np.mean([t.predict(x) for t in self.rankers], axis=0)

    def rank_court(self, x: np.ndarray) -> np.ndarray:
        """Court ranker scores of rows of FEATURES then COURT_FEATURES (the candidates of a
        court's judgment read whole); the ranker's on FEATURES when there is none."""
        if not len(x):
            return np.zeros(0)
        if not self.court_rankers:
            return self.rank(x[:, :len(FEATURES)])
        return np.mean([t.predict(x) for t in self.court_rankers], axis=0)

    def margin(self, court: bool = False) -> float:
        """The second-sentence margin of the rankers that scored: the court rankers' when `court`
        and there are some, else the archive ranker's (as `rank_court` falls back)."""
        return self.court_margin if court and self.court_rankers else self.second_margin

    def answerable(self, row: list[float]) -> float:
        """Calibrated probability that the question is answered by the retrieved text."""
        return _probability(self.refusal, row)

    def silent(self, row: list[float]) -> bool:
        """Whether a judgment read whole does not state what was asked, from a row of
        SILENCE_FEATURES (never, without a silence model)."""
        return self.silence is not None and \
            _probability(self.silence, row) < self.silence_threshold


def _probability(classifier: Trees, row: list[float]) -> float:
    """P(class 1) of one row from a LightGBM binary classifier's raw score."""
    raw = float(classifier.predict(np.asarray([row], dtype=np.float64))[0])
    return 1.0 / (1.0 + math.exp(-raw))


@lru_cache(maxsize=4)
def load_model(folder: str | Path = MODEL_DIR) -> AnswerModel:
    """The model of `folder`, loaded once per process."""
    return AnswerModel(folder)
