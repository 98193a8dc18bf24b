"""The court ranker: where each sentence of a judgment stands (its part and what it is) is read
from real judgments, the shipped court rankers load and answer a judgment read whole, and a
model folder whose court files are missing or disagree with the code is refused with the fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from rag.answer.extract import NOT_STATED, Answerer
from rag.answer.features import FEATURES, features
from rag.answer.judgments import (
    COURT_FEATURES,
    _section_of,
    court_features,
    court_rows,
    of_court,
)
from rag.answer.question import analyse_question
from rag.answer.ranker import COURT_RANKER_FILES, MODEL_DIR, SILENCE_TREES_FILE, AnswerModel
from rag.answer.train import JUDGMENT, JUDGMENT_SETS, held_out
from rag.answer.units import TextStats, analyse_article, candidates
from rag.errors import AnswerModelError
from rag.ingest.parse import parse_file
from rag.search.retrieve import WHOLE
from rag.text import as_asked

DATA = Path(__file__).resolve().parent / "data"
ORDER = ["header", "charge", "finding", "reasoning", "ruling", "end"]


@pytest.mark.parametrize("folder", [*(p.name for p in JUDGMENT_SETS), "blind_judgments_4",
                                    "blind_judgments_5", "blind_judgments_6",
                                    "blind_judgments_7", "blind_judgments_8", "blind_judgments_9"])
def test_each_judgment_set_is_one_parsed_judgment_per_issue_with_answers_from_its_text(folder):
    """What `rag train` learns from and the blind sets measure: every file parses as one issue
    holding one judgment under its own headline (not under the court's name below it), and
    every answer a question gives is a span of its own file's judgment as parsed (its headline
    or text), so a parser change that loses text shows here, not as a lower figure."""
    files = {p.name: parse_file(p) for p in sorted((DATA / folder).glob("issue_*.txt"))}
    assert files
    for name, issue in files.items():
        assert issue.number is not None and len(issue.articles) == 1, name
        assert issue.articles[0].title.endswith("判决书"), name
    questions = [json.loads(line) for line in
                 (DATA / folder / "questions.jsonl").read_text("utf-8").splitlines()]
    assert {q["source"] for q in questions} == set(files)
    assert len({q["id"] for q in questions}) == len(questions)
    for q in questions:
        answers = q.get("answers") or []
        assert bool(answers) != bool(q.get("unanswerable")), q["id"]
        article = files[q["source"]].articles[0]
        printed = "\n".join((article.title, article.subtitle, article.text))
        assert all(a in printed for a in answers), q["id"]


@pytest.mark.parametrize("folder", ["judgments", "long_judgments", "fresh_judgments"])
def test_each_sentence_of_a_judgment_has_its_part_in_the_courts_order(folder):
    for path in sorted((DATA / folder).glob("issue_*.txt")):
        units = analyse_article(parse_file(path).articles[0]).units
        parts = _section_of(units)
        assert len(parts) == len(units)
        # a judgment never goes back: header, charge, findings, reasoning, ruling, end
        assert all(ORDER.index(a) <= ORDER.index(b) for a, b in zip(parts, parts[1:])), path.name
        assert {"charge", "finding", "reasoning", "ruling", "end"} <= set(parts), path.name
        verdict = next(i for i, u in enumerate(units) if "判决如下" in u)
        assert parts[verdict] == "reasoning" and parts[verdict + 1] == "ruling", path.name
        assert parts[next(i for i, u in enumerate(units) if u.startswith("经审理查明")
                          or u.startswith("本院经审理查明"))] == "finding", path.name
        assert all(parts[i] == "end" for i, u in enumerate(units) if u.startswith("如不服"))


@pytest.fixture(scope="module")
def held_out_judgment(sample_subset, settings):
    """An engine over two judgments `rag train` holds out, and their answerable questions."""
    from rag import Engine

    files = [p for p in sorted((DATA / "judgments").glob("issue_*.txt"))
             if held_out({"id": JUDGMENT, "source": p.name})][:2]
    names = {p.name for p in files}
    questions = [q for q in map(json.loads, (DATA / "judgments" / "questions.jsonl")
                                .read_text("utf-8").splitlines())
                 if q["source"] in names and not q.get("unanswerable")]
    return Engine.load(sample_subset("judgments", files), settings), questions


def test_court_features_mark_the_ruling_and_the_evidence_of_a_real_judgment(held_out_judgment):
    engine, questions = held_out_judgment
    q = questions[0]
    passages = engine.search(q["question"], k=WHOLE, source=q["source"])  # all of it
    stats = TextStats(engine.data)
    info = analyse_question(q["question"], stats.idf)
    cands = candidates(passages, stats.units)
    x = court_features(q["question"], info, cands)
    assert x.shape == (len(cands), len(COURT_FEATURES))
    col = {name: x[:, j].astype(bool) for j, name in enumerate(COURT_FEATURES)}
    ruling = [c.plain for c, r in zip(cands, col["court_ruling"]) if r]
    assert ruling and any("判处" in s for s in ruling)
    assert not any("经审理查明" in c.plain for c, r in zip(cands, col["court_ruling"]) if r)
    # a sentence is in at most one part of the judgment
    parts = ["court_charge", "court_finding", "court_reasoning", "court_ruling"]
    assert (sum(col[p].astype(int) for p in parts) <= 1).all()


def test_the_court_ranker_puts_the_answer_first_on_judgments_it_never_learnt_from(
        held_out_judgment):
    """On two held-out judgments, the court ranker's first sentence holds the answer at least
    as often as the archive's ranker does, and for most questions."""
    engine, questions = held_out_judgment
    model = AnswerModel(MODEL_DIR)
    assert model.court_rankers, "the shipped models have no court ranker"
    stats = TextStats(engine.data)
    hits = {"court": 0, "archive": 0}
    for q in questions:
        passages = engine.search(q["question"], k=WHOLE, source=q["source"])
        info = analyse_question(q["question"], stats.idf)
        cands = candidates(passages, stats.units)
        x = features(info, cands)
        for name, scores in (("archive", model.rank(x)), ("court", model.rank_court(
                court_rows(x, q["question"], info, cands)))):
            best = cands[int(np.argmax(scores))].text
            hits[name] += any(a in best for a in q["answers"])
    assert hits["court"] >= hits["archive"] and hits["court"] > len(questions) / 2, hits


@pytest.mark.parametrize("damage", ["missing", "features", "silence", "silence_features"])
def test_missing_or_mismatched_court_rankers_say_how_to_rebuild(tmp_path, damage):
    folder = tmp_path / "models"
    shutil.copytree(MODEL_DIR, folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    if damage == "missing":
        (folder / COURT_RANKER_FILES[1]).unlink()
    elif damage == "silence":
        (folder / SILENCE_TREES_FILE).unlink()
    elif damage == "features":
        manifest["court_features"] = manifest["court_features"][:-1]
    else:
        manifest["silence"]["features"] = manifest["silence"]["features"][:-1]
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(AnswerModelError) as err:
        AnswerModel(folder)
    assert "\n" not in str(err.value) and "python -m rag train" in str(err.value)


def test_a_model_folder_without_court_rankers_ranks_judgments_with_the_archive_s(tmp_path):
    folder = tmp_path / "models"
    shutil.copytree(MODEL_DIR, folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest.pop("court_rankers")
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    model = AnswerModel(folder)
    x = np.random.default_rng(0).random((5, len(FEATURES) + len(COURT_FEATURES)))
    assert np.allclose(model.rank_court(x), model.rank(x[:, :len(FEATURES)]))
    assert model.margin(court=True) == model.second_margin


def test_an_open_search_is_ranked_by_the_court_ranker_only_when_it_found_only_judgments(
        held_out_judgment, engine):
    judgments, questions = held_out_judgment
    for eng, question, court in ((judgments, questions[0]["question"], True),
                                 (engine, "铁骑大比武一共设置了几项科目？", False)):
        stats = TextStats(eng.data)
        cands = candidates(eng.search(question, k=8), stats.units)
        assert cands and bool(of_court(cands).all()) is court


def test_the_court_ranker_learns_from_the_whole_judgment_the_engine_reads(
        held_out_judgment, settings):
    """`rag train` asks each judgment question twice within its issue: over the best passages,
    and read whole as the engine reads it (every sentence of these short judgments), so that
    the court ranker learns from what it will rank."""
    from rag.answer.train import _groups
    from rag.index.embed import load_embedder

    engine, questions = held_out_judgment
    asked = [{**q, "id": f"{JUDGMENT}{q['id']}"} for q in questions[:4]]
    groups = _groups(engine.data, load_embedder(settings), asked, True, False, within=True)
    stats = TextStats(engine.data)
    for q in asked:
        mine = [g for g in groups if g[0]["id"] == q["id"]]
        whole = [g for g in mine if g[0].get("whole")]
        best = [g for g in mine if not g[0].get("whole") and not g[0].get("dropped")]
        assert len(whole) == 1 and len(best) == 1
        texts = [c.text for c in whole[0][3]]
        article = engine.data.articles[whole[0][3][0].passage.article_id]
        assert set(stats.units(article.id).printed) <= set(texts)  # every sentence of it
        assert {c.text for c in best[0][3]} < set(texts)  # the best passages are a part
        assert whole[0][1].shape == (len(texts), len(FEATURES))
        assert whole[0][2].any() == any(a in t for a in q["answers"] for t in texts)


def test_training_reads_each_question_as_the_engine_does(held_out_judgment, settings):
    """Police staff type 为啥, 咋, 啥 (62, 49 and more of the written judgment questions); the
    engine reads 为啥 as 为什么, so `rag train` must learn from the same reading, or the models
    meet a question kind (a reason asked) they were never shown with these words."""
    from rag.answer.train import _groups
    from rag.index.embed import load_embedder

    engine, questions = held_out_judgment
    spoken = [{**q, "id": f"{JUDGMENT}{q['id']}", "question": "请问" + q["question"].replace(
        "什么", "啥").rstrip("？?") + "，为啥？"} for q in questions[:3]]
    groups = _groups(engine.data, load_embedder(settings), spoken, False, False, within=True)
    assert groups
    idf = TextStats(engine.data).idf
    for q, _x, _y, _cands, info in groups:
        asked = engine.check_question(next(s["question"] for s in spoken if s["id"] == q["id"]))
        assert q["question"] == asked and "啥" not in asked and "为什么" in asked
        assert info.kinds == analyse_question(asked, idf).kinds
        assert info.kinds["reason"]


@pytest.fixture(scope="module")
def fresh_judgments_4(sample_subset, settings):
    """An engine over the sixteen judgments of `fresh_judgments_4` (ten of them train-side),
    and the questions of the six `rag train` holds out, silent ones included."""
    from rag import Engine

    folder = DATA / "fresh_judgments_4"
    engine = Engine.load(sample_subset("fresh_judgments_4", sorted(folder.glob("issue_*.txt"))),
                         settings)
    questions = [q for q in map(json.loads, (folder / "questions.jsonl").read_text("utf-8")
                                .splitlines())
                 if held_out({"id": JUDGMENT, "source": q["source"]})]
    return engine, questions


def test_the_silence_model_refuses_what_held_out_judgments_do_not_say(fresh_judgments_4,
                                                                     tmp_path):
    """Asked within judgments `rag train` holds out, the silence model refuses some of the
    questions they do not answer, more often than answerable ones, and changes no answer it
    lets through; a model folder without one leaves refusal to the rules."""
    engine, questions = fresh_judgments_4
    folder = tmp_path / "models"
    shutil.copytree(MODEL_DIR, folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest.pop("silence")
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    assert AnswerModel(folder).silence is None
    shipped, without = Answerer(engine.data), Answerer(engine.data, folder)
    refused: dict[bool, list[bool]] = {True: [], False: []}
    for q in questions:
        asked = as_asked(q["question"])  # as the engine asks the answerer
        passages = engine.search(asked, k=WHOLE, source=q["source"])
        a, b = shipped.answer(asked, passages, whole=True), \
            without.answer(asked, passages, whole=True)
        refused[bool(q.get("unanswerable"))].append(a.abstained and not b.abstained)
        if a.abstained and not b.abstained:
            assert a.text == NOT_STATED
        elif not a.abstained:
            assert a.text == b.text
    silent, answerable = refused[True], refused[False]
    assert len(silent) >= 20 and len(answerable) >= 40 and any(silent), refused
    assert sum(silent) / len(silent) > 2 * sum(answerable) / len(answerable), refused
