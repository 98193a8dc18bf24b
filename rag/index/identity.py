"""Which issue a file holds, and what adding it to an index does.

An issue is its number and printed date; a file without both is known by its content hash.
File names say nothing: two weeks' `page1.txt` are two issues, and one issue saved under two
names is one. One issue may come as several files (a file per page): files of one number and
date whose headlines mostly differ are parts of it, all kept (`same_issue`). Files are remembered by a unique key, their `source`: the path inside the
corpus folder for a build, the file name for an add (or, when an indexed file already has
that name, the folder and name, or the name with a hash).

Adding a file then means one of:
- added: an issue the index does not hold;
- replaced: a changed file of an indexed issue, under the same file name;
- skipped: the same bytes are indexed, the same issue is indexed under another name, the
  file cannot be read, or another file of this add is the same issue;
and another part of an indexed issue (other headlines) is added beside it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from rag.errors import CorpusError, NotIndexedError
from rag.index.outcome import note, unreadable_reason
from rag.ingest.continuations import join_continuations
from rag.ingest.parse import duplicate_numbers, parse_file
from rag.ingest.read import ISSUE_SUFFIXES, file_hash, load_manifest
from rag.types import Issue

logger = logging.getLogger(__name__)

_ISSUE_NUMBER = re.compile(r"第?\s*(\d{1,5})\s*期?")


def issue_key(issue: Issue) -> tuple[int, str] | None:
    """The identity of an issue whose number and date are both known."""
    return (issue.number, issue.date) if issue.number is not None and issue.date else None


def same_issue(a: Issue, b: Issue) -> bool:
    """Two files of one number and date hold the same issue, not two parts of it (page files
    such as `issue_900_p1.txt` and `issue_900_p6.txt`), when most paragraphs of the smaller
    one are the other's too. An edited copy keeps most paragraphs; another page, even one
    continuing an article of the first (上接第1版, same headline), has others."""
    def paragraphs(issue: Issue) -> set[str]:
        return {p for art in issue.articles for p in art.paragraphs if len(p) >= 8}

    pa, pb = paragraphs(a), paragraphs(b)
    if not pa or not pb:
        return {x.title for x in a.articles} == {x.title for x in b.articles}
    return len(pa & pb) >= 0.5 * min(len(pa), len(pb))


def _twin(issue: Issue, by_key: dict[tuple, list[Issue]]) -> Issue | None:
    """The issue already seen that `issue` is a copy or an edit of, if any."""
    key = issue_key(issue)
    return next((i for i in by_key.get(key, []) if same_issue(i, issue)), None) if key else None


def issue_name(issue: Issue) -> str:
    return f"第{issue.number}期" if issue.number is not None else "期号不详"


def find_issue_files(paths: list[str | Path]) -> list[Path]:
    """Issue files (.txt, .md) given directly or anywhere below the given folders.

    Raises:
        CorpusError: a path does not exist, or no issue file was found at all.
    """
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            inside = folder_files(path)
            if not inside:
                logger.warning("%s holds no issue file (.txt or .md), nor do its subfolders",
                               path)
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise CorpusError(f"{path} does not exist: give issue files (.txt/.md) or folders")
    if not found:
        names = ", ".join(map(str, paths))
        raise CorpusError(f"no issue file (.txt or .md) in {names} or its subfolders: "
                          "nothing to add")
    return found


def folder_files(folder: Path) -> list[Path]:
    """Issue files anywhere below `folder`, hidden folders left out, in a stable order."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in ISSUE_SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def parse_folder(corpus_dir: Path, show_progress: bool = False,
                 max_file_mb: float | None = None
                 ) -> tuple[list[Issue], dict[str, str], list[str]]:
    """Parse every issue file below a corpus folder, each known by its path inside it.

    A second copy of an issue (the same bytes, or the same number and date) is skipped with
    a warning. Returns the issues, their files' hashes by source, and warnings.

    Raises:
        CorpusError: the folder is missing or a file, or holds no readable issue file.
    """
    if corpus_dir.is_file():
        raise CorpusError(f"{corpus_dir} is a file, not a corpus folder: pass the folder that "
                          "holds the issue files (--corpus DIR)")
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist: "
                          "put issue files (.txt, .md or .pdf) there or pass --corpus DIR")
    parser, issues, warnings = Parser(max_file_mb), [], []
    hashes: dict[str, str] = {}
    first: dict[str, str] = {}  # content hash → the source that has it
    by_key: dict[tuple, list[Issue]] = {}
    for path in tqdm(folder_files(corpus_dir), desc="parse", unit="file",
                     disable=not show_progress):
        source = path.relative_to(corpus_dir).as_posix()
        digest = file_hash(path)
        try:
            issue = None if digest in first else parser.parse(path, source)
        except (OSError, ValueError) as err:
            warnings.append(f"{source}: skipped, {err}")
            continue
        twin = first.get(digest) if issue is None else getattr(_twin(issue, by_key), "source", None)
        if twin:
            warnings.append(f"{source}: skipped, the same issue as {twin}")
            continue
        first[digest] = source
        by_key.setdefault(issue_key(issue), []).append(issue)
        hashes[source] = digest
        issues.append(issue)
        warnings += [f"{source}: {w}" for w in issue.warnings]
    if not issues:
        raise CorpusError(f"no readable issue file (.txt, .md or .pdf) in {corpus_dir} "
                          "or its subfolders")
    warnings += duplicate_numbers(issues)
    join_continuations(issues)
    for w in warnings:
        logger.info("%s", w)
    return issues, hashes, warnings


class Parser:
    """Parse files under a chosen `source`, with the number and date their folder's
    issues.csv gives (it names files by their bare name); files over `max_file_mb` (default:
    the MAX_FILE_MB setting) are refused before they are read."""

    def __init__(self, max_file_mb: float | None = None) -> None:
        self._manifests: dict[Path, dict[str, dict]] = {}
        self._max_file_mb = max_file_mb

    def parse(self, path: Path, source: str) -> Issue:
        """Raises OSError or ValueError when the file cannot be read as an issue."""
        folder = path.parent
        if folder not in self._manifests:
            self._manifests[folder] = load_manifest(folder)
        entry = self._manifests[folder].get(path.name)
        return parse_file(path, {source: entry} if entry else None, source=source,
                          max_file_mb=self._max_file_mb)


@dataclass
class Plan:
    """What an add does with each file."""

    new: list[Issue] = field(default_factory=list)  # added or replacing, with `source` set
    hashes: dict[str, str] = field(default_factory=dict)  # source → content hash
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # "name: why", one per skipped file
    failed: list[str] = field(default_factory=list)  # skipped because unreadable
    warnings: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # source → "第856期"
    # The same, as data for a reply in another language (`outcome`): per added or replaced
    # source {file, source, issue, date}; per skipped file {file, issue, reason, other, detail}
    # with `reason` a code (REASONS) and `other` the indexed file or file of this add it repeats.
    kept: dict[str, dict] = field(default_factory=dict)
    skips: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)  # `warnings` as data (`note`)
    # A parsed file may be an indexed issue or a part of one (`related`): deciding it, and
    # joining its continued articles, then reads the indexed issue's articles.
    touches: bool = False

    def skip(self, name: str, why: str, reason: str, issue: str | None = None,
             other: str | None = None, failed: bool = False) -> None:
        self.skipped.append(name)
        self.reasons.append(f"{name}: {why}")
        self.skips.append({"file": name, "issue": issue, "reason": reason, "other": other,
                           "detail": why})
        if failed:
            self.failed.append(name)
        logger.info("%s: skipped, %s", name, why)


def outcome(plan: Plan, warnings: list[str] | None = None) -> dict[str, list[dict]]:
    """What an add did, file by file, as data: `added`, `replaced` and `skipped` entries, and
    `notes` (`note`) for its warnings; `warnings` are those found after the plan (numbers
    also claimed by other files) as "source: text"."""
    notes = list(plan.notes)
    for line in warnings or []:
        source = next((s for s in plan.kept if line.startswith(f"{s}: ")), None)
        if source is not None and line not in plan.warnings:
            notes.append(note(source, line[len(source) + 2:]))
    return {"added": [plan.kept[s] for s in plan.added],
            "replaced": [plan.kept[s] for s in plan.replaced], "skipped": list(plan.skips),
            "notes": notes}


def related(a: Issue, b: Issue) -> bool:
    """Whether two issues may be one (copies, edits or page files of it), judged from their
    headers alone: a superset of both `same_issue` on equal keys and the issues that
    `join_continuations` joins articles across."""
    if a.number is not None or b.number is not None:
        return a.number == b.number
    return not (a.date and b.date) or a.date == b.date


def plan_add(paths: list[Path], indexed: list[Issue], files: dict[str, str],
             max_file_mb: float | None = None) -> Plan:
    """Decide, file by file, whether an add adds, replaces or skips it (see the module doc).

    `indexed` may be headers without articles (`rag.index.store.Outline`): the plan is
    then right unless `touches` is set, and must be made again with the articles.
    """
    plan = Plan()
    numbers = {i.number for i in indexed if i.number is not None}
    numberless = [i for i in indexed if i.number is None]
    source_of_hash = {h: s for s, h in files.items()}
    by_key: dict[tuple, list[Issue]] = {}
    for i in indexed:
        by_key.setdefault(issue_key(i), []).append(i)
    taken = set(files) | {i.source for i in indexed}
    label_of = {i.source: issue_name(i) for i in indexed}
    parser = Parser(max_file_mb)
    for path in paths:
        digest = file_hash(path)
        if digest in source_of_hash:
            where = source_of_hash[digest]
            label = plan.labels.get(where) or label_of.get(where)
            if where in plan.hashes:
                plan.skip(path.name, f"the same file as {where} in this add",
                          "duplicate_in_add", label, where)
            elif Path(where).name == path.name:
                plan.skip(path.name, "already indexed", "already_indexed", label, where)
            else:
                plan.skip(path.name, f"already indexed as {where}", "duplicate", label, where)
            continue
        try:
            issue = parser.parse(path, path.name)
        except (OSError, ValueError) as err:
            plan.skip(path.name, f"unreadable ({err})", unreadable_reason(err), failed=True)
            continue
        plan.touches |= issue.number in numbers if issue.number is not None \
            else any(related(issue, i) for i in numberless)
        key = issue_key(issue)
        old = _twin(issue, by_key)
        if old is not None and Path(old.source).name != path.name:
            here = old.source in plan.hashes
            verb = "is in this add as" if here else "is indexed as"
            plan.skip(path.name, f"{issue_name(issue)} ({issue.date}) {verb} {old.source}",
                      "duplicate_in_add" if here else "duplicate", issue_name(issue),
                      old.source)
            continue
        if old is not None:
            source = old.source
            if source in plan.hashes:  # the same name twice in one add: keep the first
                plan.skip(path.name, f"{issue_name(issue)} is in this add already",
                          "duplicate_in_add", issue_name(issue), source)
                continue
            plan.replaced.append(source)
        else:
            source = unique_source(path, digest, taken)
            plan.added.append(source)
            if source != path.name and key is None:
                why = (f"no printed number and date, so it cannot be told whether it "
                       f"replaces the indexed {path.name}; added beside it (`python -m rag "
                       f"remove {path.name}` takes the old one out)")
                plan.warnings.append(f"{source}: {why}")
                plan.notes.append(note(source, why, "beside_namesake", path.name))
        if source != issue.source:
            issue = parser.parse(path, source)
        taken.add(source)
        source_of_hash[digest] = source
        if old is not None:
            by_key[key].remove(old)
        by_key.setdefault(key, []).append(issue)
        plan.new.append(issue)
        plan.hashes[source] = digest
        plan.labels[source] = issue_name(issue)
        plan.kept[source] = {"file": path.name, "source": source, "issue": issue_name(issue),
                             "date": issue.date}
        plan.warnings += [f"{source}: {w}" for w in issue.warnings]
        plan.notes += [note(source, w) for w in issue.warnings]
    return plan


def unique_source(path: Path, digest: str, taken: set[str]) -> str:
    """The file's name, unless an indexed file has it: then its folder and name, or else the
    name with part of its hash."""
    for candidate in (path.name, f"{path.parent.name}/{path.name}",
                      f"{path.stem}-{digest[:8]}{path.suffix}"):
        if candidate not in taken and not candidate.startswith("/"):
            return candidate
    return f"{path.stem}-{digest}{path.suffix}"


def summary(plan: Plan, holds: str = "") -> str:
    """One line for people: what was added, replaced and skipped, and why."""
    if not plan.added and not plan.replaced:
        if plan.failed:
            head = "nothing added"
        else:
            return "nothing new: " + _listed(plan.reasons, len(plan.skipped)) + \
                (f"; {holds}" if holds else "")
    else:
        parts = []
        for verb, sources in (("added", plan.added), ("replaced", plan.replaced)):
            if sources:
                parts.append(f"{verb} {len(sources)}: " + _listed(
                    [f"{plan.labels[s]} {s}" for s in sources], len(sources)))
        head = "; ".join(parts)
    if plan.skipped:
        head += f"; skipped {len(plan.skipped)}: " + _listed(plan.reasons, len(plan.skipped))
    return head + (f"; {holds}" if holds else "")


def _listed(items: list[str], total: int, shown: int = 3) -> str:
    text = ", ".join(items[:shown])
    return text + (f" and {total - shown} more" if total > shown else "")


def removal_target(target: str, indexed: list[Issue], files: dict[str, str]) -> str:
    """The source to remove for `target`: an issue number (856, 第856期), a source as `stats`
    lists it, a file name, or the path of a file whose content is indexed.

    Raises:
        NotIndexedError: nothing or more than one issue matches.
    """
    sources = list(dict.fromkeys([i.source for i in indexed] + list(files)))
    target = target.strip()
    if target in sources:
        return target
    number = _ISSUE_NUMBER.fullmatch(target)
    if number:
        matches = [i.source for i in indexed if i.number == int(number.group(1))]
        if not matches:
            raise NotIndexedError(f"第{number.group(1)}期")
    else:
        matches = [s for s in sources if Path(s).name == Path(target).name]
        if not matches and Path(target).is_file():
            digest = file_hash(Path(target))
            matches = [s for s, h in files.items() if h == digest]
        if not matches:
            raise NotIndexedError(target)
    if len(matches) > 1:
        raise NotIndexedError(target, matches)
    return matches[0]
