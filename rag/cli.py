"""`python -m rag`: build the index, ask questions, inspect parsing, evaluate.

Examples:
    python -m rag ask "第853期公安周刊是哪天出版的？"
    python -m rag search "铁骑 大比武" --k 3 --json
    python -m rag articles --corpus corpus
    python -m rag build --corpus corpus --index index
    python -m rag add new_issue.txt
    python -m rag eval ../shared/eval/dev_questions.jsonl
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

from rag.errors import CorpusError, FilterError, IndexNotFoundError, RagError
from rag.search.filters import check_date
from rag.settings import Settings

logger = logging.getLogger("rag")


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _engine(args: argparse.Namespace, settings: Settings, auto_build: bool = False):
    """The engine of `--index`; with `auto_build`, and only at the built-in default location
    (`index/`), a missing index is built from the corpus (the README's first command), never
    at a path typed on the command line or in INDEX_DIR."""
    from rag.engine import Engine

    index = Path(args.index or settings.index_dir)
    try:
        return Engine.load(index, settings)
    except IndexNotFoundError:
        corpus = Path(getattr(args, "corpus", None) or settings.corpus_dir)
        # The checkout ships index/ holding only .gitkeep: that is a first run too.
        empty = not index.exists() or index.is_dir() and all(
            p.name.startswith(".") for p in index.iterdir())
        first_run = not args.index and index == Settings().index_dir and empty
        if not auto_build or not first_run or not corpus.is_dir():
            raise
        # A newcomer's first command just works: build from the sample corpus, say so.
        print(f"No index at {index}: building it from {corpus} (once)…", file=sys.stderr)
        from rag.index.build import build_index

        build_index(corpus, index, settings, show_progress=sys.stderr.isatty())
        return Engine.load(index, settings)


def _check_corpus(corpus: str | Path) -> None:
    if Path(corpus).is_file():
        raise CorpusError(f"{corpus} is a file, not a corpus folder: pass the folder that "
                          "holds the issue files (--corpus DIR)")


def cmd_articles(args: argparse.Namespace, settings: Settings) -> None:
    from rag.ingest.parse import parse_corpus

    _check_corpus(args.corpus or settings.corpus_dir)
    issues, warnings = parse_corpus(args.corpus or settings.corpus_dir)
    if args.json:
        _print_json([{"source": a.source, "issue": a.issue, "date": a.date, "title": a.title,
                      "subtitle": a.subtitle, "kicker": a.kicker, "authors": a.authors,
                      "kind": a.kind, "title_derived": a.title_derived,
                      "continuations": a.continuations, "text": a.text}
                     for i in issues for a in i.articles])
        return
    for issue in issues:
        head = f"第{issue.number}期" if issue.number is not None else "期号不详"
        print(f"\n{issue.source}  {head}  {issue.date or '日期不详'}  "
              f"{len(issue.articles)} 篇")
        for a in issue.articles:
            title = a.title + ("（据首句）" if a.title_derived else "")
            print(f"  {a.kind:<7} {len(a.text):>5}字  《{title}》  {'、'.join(a.authors)}")
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)


def cmd_build(args: argparse.Namespace, settings: Settings) -> None:
    from rag.index.build import build_index

    stats = build_index(args.corpus or settings.corpus_dir, args.index or settings.index_dir,
                        settings, show_progress=not args.json and sys.stderr.isatty())
    if args.json:
        _print_json(stats)
    else:
        print(f"Built {stats['index']}: {stats['issues']} issues, {stats['articles']} articles, "
              f"{stats['chunks']} chunks ({stats['embedded']} embedded) in {stats['seconds']}s")
        for w in stats["warnings"]:
            print(f"warning: {w}", file=sys.stderr)


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from rag.index.build import add_files

    result = add_files(args.paths, args.index or settings.index_dir, settings,
                       show_progress=not args.json and sys.stderr.isatty())
    if args.json:
        _print_json(result)
    else:
        for w in result["warnings"]:
            print(f"warning: {w}", file=sys.stderr)
        print(result["summary"])
    # Nothing taken because nothing could be read is a failure; nothing new is not.
    return 1 if result["failed"] and not (result["added"] or result["replaced"]) else 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> None:
    from rag.index.build import remove_source

    result = remove_source(args.target, args.index or settings.index_dir, settings)
    if args.json:
        _print_json(result)
    else:
        print(result["summary"])


def cmd_stats(args: argparse.Namespace, settings: Settings) -> None:
    stats = _engine(args, settings).stats()
    if args.json:
        _print_json(stats)
        return
    print(f"index {stats['index']} (build {stats['build']}, {stats['built_at']})")
    print(f"model {stats['model']} ({stats['dimension']}-d); {stats['issues']} issues, "
          f"{stats['articles']} articles, {stats['chunks']} chunks; {stats['size_mb']} MB")
    for i in stats["issues_list"]:
        number = f"第{i['number']}期" if i["number"] is not None else "期号不详"
        print(f"  {number:<8} {i['date'] or '日期不详':<11} {i['articles']:>3} 篇  {i['source']}")
    for w in stats["warnings"]:
        print(f"warning: {w}")


def print_answer(answer, as_json: bool) -> None:
    if as_json:
        _print_json(asdict(answer))
        return
    print(answer.text)
    if answer.citations:
        print()
        for c in answer.citations:
            print(f"[{c.n}] {c.label()}")
    if answer.abstained and answer.suggestions:
        print("\n最接近的文章：")
        for c in answer.suggestions:
            print(f"  - {c.label()}")


def cmd_ask(args: argparse.Namespace, settings: Settings) -> None:
    print_answer(_engine(args, settings, auto_build=True).ask(args.question, channel="cli"),
                 args.json)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> None:
    """A conversation in the terminal: follow-ups use the last turns; /new starts over.

    With --json, standard output is JSON Lines only: one answer (or {"error": …}) a line."""
    from rag.conversation import Conversation

    conversation = Conversation(_engine(args, settings), channel="chat")
    interactive = sys.stdin.isatty() and not args.json
    if interactive:
        print("问公安周刊（/new 重新开始，/quit 退出）")
    while True:
        try:
            line = input("问> " if interactive else "")
        except EOFError:
            break
        line = line.strip()
        if not line:
            continue
        if line in ("/quit", "/exit"):
            break
        if line == "/new":
            conversation.reset()
            if not args.json:
                print("（已开始新的对话）")
            continue
        try:
            answer = conversation.ask(line)
        except RagError as err:  # a bad question ends nothing: say why, keep the conversation
            print(json.dumps({"error": str(err)}, ensure_ascii=False) if args.json
                  else f"error: {err}")
            continue
        if args.json:
            print(json.dumps(asdict(answer), ensure_ascii=False, default=str), flush=True)
            continue
        if not interactive:
            print(f"问> {line}")
        print_answer(answer, False)
        print()


def cmd_search(args: argparse.Namespace, settings: Settings) -> None:
    passages = _engine(args, settings).search(
        args.question, k=args.k, issue=args.issue, date_from=args.date_from,
        date_to=args.date_to)
    if args.json:
        _print_json([asdict(p) for p in passages])
        return
    if not passages:
        print("没有找到匹配的段落（no passage matches the question and filters）")
    for n, p in enumerate(passages, 1):
        issue = f"第{p.issue}期" if p.issue is not None else "期号不详"
        print(f"{n}. {p.score:.3f}  {issue} {p.date or ''} 《{p.headline}》 ({p.source})")
        print(f"   {p.text[:160]}")


def cmd_eval(args: argparse.Namespace, settings: Settings) -> None:
    from rag.evaluate import evaluate, evaluate_baseline, format_report, load_questions

    questions = load_questions(args.questions)
    engine = _engine(args, settings)
    ours = evaluate(engine, questions, in_issue=args.in_issue)
    baseline = None
    corpus = Path(args.corpus or settings.corpus_dir)
    if not args.no_baseline and corpus.is_dir():
        baseline = evaluate_baseline(corpus, engine, questions)
    if args.json:
        _print_json({"ours": ours, "baseline": baseline})
    else:
        print(format_report(ours, baseline))


def _folders(arg: str | None, default: tuple[Path, ...], what: str) -> list[Path]:
    """The folders `train` learns from: those given, comma-separated ('' for none), else the
    repository's `default`, when this is a checkout that has them."""
    if arg is None:
        found = [folder for folder in default if folder.is_dir()]
        if not found and default:
            logger.warning("no %s (not a checkout of the repository): training without "
                           "%s", default[0], what)
        return found
    return [Path(a) for a in arg.split(",") if a]


def cmd_train(args: argparse.Namespace, settings: Settings) -> None:
    from rag.answer.train import JUDGMENT_SETS, NEWS_SETS, train

    manifest = train(Path(args.drcd), Path(args.dev), Path(args.corpus or settings.corpus_dir),
                     Path(args.out) if args.out else None, sample=args.sample,
                     settings=settings, show_progress=sys.stderr.isatty(),
                     judgments=_folders(args.judgments, JUDGMENT_SETS, "judgments"),
                     news=_folders(args.news, NEWS_SETS, "written news"))
    if args.json:
        _print_json(manifest)
        return
    print(f"model files written to {args.out or 'rag/answer/models'}; split: "
          f"{manifest['split_rule']}")
    for name, fig in manifest["held_out"].items():
        print(f"held-out {name}: " + ", ".join(f"{k} {v}" for k, v in fig.items()))


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> None:
    from rag.feedback import FeedbackStore

    index = Path(args.index or settings.index_dir)
    store = FeedbackStore(index / "feedback.sqlite3")
    n = store.export_jsonl(args.export, only_down=not args.all)
    print(f"Wrote {n} feedback records to {args.export}")


def _positive(value: str) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return int(value)


def _date(value: str) -> str:
    try:
        return check_date(value, "date")
    except FilterError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rag", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="log details")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, func, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        p.add_argument("--json", action="store_true", help="print JSON for scripts")
        return p

    p = command("articles", cmd_articles, "list the parsed articles of a corpus folder")
    p.add_argument("--corpus", help="folder of issue files (default: CORPUS_DIR or corpus/)")
    p = command("build", cmd_build, "build the index from a corpus folder (full rebuild)")
    p.add_argument("--corpus")
    p.add_argument("--index", help="index folder (default: INDEX_DIR or index/)")
    p = command("add", cmd_add, "add new or changed issue files to the index")
    p.add_argument("paths", nargs="+", help="issue files or folders")
    p.add_argument("--index")
    p = command("remove", cmd_remove, "take one issue out of the index, e.g. remove 856")
    p.add_argument("target", metavar="ISSUE_OR_FILE",
                   help="an issue number (856 or 第856期) or a file as `stats` lists it")
    p.add_argument("--index")
    p = command("stats", cmd_stats, "what the index holds")
    p.add_argument("--index")
    p = command("ask", cmd_ask, 'answer a question, e.g. ask "第831期有哪些文章？"')
    p.add_argument("question")
    p.add_argument("--index")
    p.add_argument("--corpus", help="corpus to build from if there is no index yet")
    p = command("chat", cmd_chat, "a conversation: follow-up questions keep their context")
    p.add_argument("--index")
    p.add_argument("--corpus")
    p = command("search", cmd_search, "the passages that best match a question")
    p.add_argument("question")
    p.add_argument("--k", type=_positive, default=5, help="how many passages (default 5)")
    p.add_argument("--issue", type=int, help="only this issue number")
    p.add_argument("--date-from", type=_date, help="YYYY-MM-DD")
    p.add_argument("--date-to", type=_date, help="YYYY-MM-DD")
    p.add_argument("--index")
    p.add_argument("--corpus")
    p = command("eval", cmd_eval, "score answers and citations on a JSONL question file")
    p.add_argument("questions")
    p.add_argument("--index")
    p.add_argument("--corpus", help="corpus for the llama-index baseline (default: corpus/)")
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--in-issue", action="store_true",
                   help="ask each question within the issue of its source file")
    p = command("train", cmd_train, "rebuild the answer-selection and refusal models")
    p.add_argument("--drcd", default="../shared/eval/drcd", help="DRCD folder (questions.jsonl, "
                   "corpus/)")
    p.add_argument("--dev", default="../shared/eval/dev_questions.jsonl",
                   help="questions on the sample issues")
    p.add_argument("--corpus", help="sample issues for generated questions (default: corpus/)")
    p.add_argument("--judgments", help="folders of judgments laid out one per issue, each with "
                   "questions.jsonl, comma-separated (default: the repository's written "
                   "judgments but the blind ones; '' for none)")
    p.add_argument("--news", help="folders of issues with the questions written on them "
                   "(questions.jsonl), comma-separated (default: tests/data/training_news; '' "
                   "for none)")
    p.add_argument("--sample", type=_positive, help="train on N questions per source, quickly")
    p.add_argument("--out", help="where to write the model files (default: inside the package)")
    p = command("feedback", cmd_feedback, "export 👎 feedback from the bot as evaluation cases")
    p.add_argument("--export", required=True, metavar="FILE.jsonl")
    p.add_argument("--all", action="store_true", help="export 👍 too")
    p.add_argument("--index")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "bm25s", "jieba", "sentence_transformers", "faiss"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if not args.verbose:  # the commands print the warnings they return, once
        logging.getLogger("rag.ingest").setLevel(logging.ERROR)
    try:
        return args.func(args, Settings.from_env()) or 0
    except RagError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `python -m rag ask … | head`: the reader left, nothing to say
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # never a traceback for a user; -v shows it
        if args.verbose:
            raise
        print(f"error: unexpected {type(err).__name__}: {err} (run with -v for details)",
              file=sys.stderr)
        return 1
