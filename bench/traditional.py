"""A corpus and its questions printed in traditional characters, to check that the answerer
does not depend on the script: `rag eval` on both prints should give the same figures.

    python -m bench.traditional ~/.cache/gazk-rag/train/drcd-heldout.jsonl \
        --corpus ../shared/eval/drcd/corpus --out bench/out/traditional
    python -m rag build --corpus bench/out/traditional/corpus --index bench/out/traditional/index
    python -m rag eval bench/out/traditional/questions.jsonl \
        --index bench/out/traditional/index --no-baseline

Questions and answers are converted too (OpenCC s2t), so a traditional question is asked of a
traditional archive and its answer is looked for as printed there.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import opencc

logger = logging.getLogger(__name__)


def convert(questions: Path, corpus: Path, out: Path) -> tuple[int, int]:
    """Write `out/corpus/` and `out/questions.jsonl`; return (files, questions) written."""
    s2t = opencc.OpenCC("s2t")
    (out / "corpus").mkdir(parents=True, exist_ok=True)
    files = 0
    for path in sorted(corpus.iterdir()):
        if path.suffix in (".txt", ".md"):
            text = path.read_text(encoding="utf-8")
            (out / "corpus" / path.name).write_text(s2t.convert(text), encoding="utf-8")
            files += 1
    lines = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        q["question"] = s2t.convert(q["question"])
        q["answers"] = [s2t.convert(a) for a in q.get("answers", [])]
        if q.get("title"):
            q["title"] = s2t.convert(q["title"])
        lines.append(json.dumps(q, ensure_ascii=False))
    (out / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return files, len(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.traditional", description=__doc__.split(
        "\n")[0])
    parser.add_argument("questions", type=Path, help="a `rag eval` question file")
    parser.add_argument("--corpus", type=Path, required=True, help="the corpus they are about")
    parser.add_argument("--out", type=Path, default=Path("bench/out/traditional"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    files, questions = convert(args.questions, args.corpus, args.out)
    logger.info("wrote %d files to %s and %d questions to %s", files, args.out / "corpus",
                questions, args.out / "questions.jsonl")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
