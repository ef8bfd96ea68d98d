#!/usr/bin/env python3
"""Prove the seed content: structure, counts, links and every code example.

The Rust loader (`studytrack seed`) validates the *format*; this script validates the
*claims*: each interactive session runs under doctest and prints what the text says it
prints, each script example runs cleanly, each predict-the-output quiz item's correct
option is what its code really prints, and every topic meets the track's minimum
counts. It uses only the standard library so it runs anywhere Python 3.11 does.

It also fails on duplicate question titles, on questions so similar to another that
they ask the same thing, and on history claims about a framework that name no version;
and it lists the version-sensitive sentences a reviewer must re-read when the pinned
packages or the Python version change (`--versions`).

Usage: check_content.py [SEED_DIR] [--topic SLUG]... [--article SLUG]... [--jobs N] [--versions]
Prints one line per failure (file, entry, problem) and a closing
"N passed, N failed" line; exits 1 when anything failed.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KINDS = {"single_choice", "multiple_choice", "true_false", "predict_output"}
DIFFICULTIES = ("junior", "mid", "senior")
FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$")
SCRIPT_TIMEOUT = 10
# The interpreter that runs examples (a virtual environment with the FastAPI track's
# packages, see requirements-content.txt); set from --python.
PYTHON = sys.executable
SESSION_TIMEOUT = 60

# Minimum content per topic, by the tracks the topic sits on (the strictest wins):
# (questions, quiz items, of which predict_output, flashcards).
MINIMUMS = {
    "python": (12, 10, 3, 10),
    "fastapi": (8, 6, 0, 6),
}
DEFAULT_MINIMUM = (3, 1, 0, 1)


@dataclass
class CodeBlock:
    file: str
    entry: str
    line: int
    lang: str
    flags: list[str]
    code: str


@dataclass
class Report:
    failures: list[str] = field(default_factory=list)
    passed: int = 0

    def fail(self, file: str | Path, entry: str, problem: str) -> None:
        self.failures.append(f"FAIL {file}: {entry}: {problem}")

    def ok(self) -> None:
        self.passed += 1


def split_front_matter(path: Path, report: Report) -> tuple[dict, str] | None:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "+++":
        report.fail(path, "front matter", "file must start with a line holding exactly +++")
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    except StopIteration:
        report.fail(path, "front matter", "no closing +++ line")
        return None
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as err:
        report.fail(path, "front matter", f"invalid TOML: {err}")
        return None
    return meta, "\n".join(lines[end + 1 :]).strip("\n")


def load_toml(path: Path, report: Report) -> dict | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        report.fail(path, "file", f"invalid TOML: {err}")
        return None


def code_blocks(markdown: str, file: str, entry: str) -> list[CodeBlock]:
    """Fenced code blocks of a Markdown text, with their info strings."""
    blocks = []
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, lang, rest = len(m.group(1)), m.group(2), m.group(3), m.group(4)
        start = i + 1
        body = []
        i += 1
        while i < len(lines):
            stripped = lines[i].strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                break
            line = lines[i]
            body.append(line[indent:] if line[:indent].strip() == "" else line)
            i += 1
        i += 1
        blocks.append(CodeBlock(file, entry, start, lang.lower(), rest.split(), "\n".join(body) + "\n"))
    return blocks


def is_session(block: CodeBlock) -> bool:
    return any(line.lstrip().startswith(">>>") for line in block.code.split("\n"))


# --------------------------------------------------------------------------- running


def run_sessions(file: str, blocks: list[dict]) -> list[str]:
    """Run one file's doctest sessions in a fresh interpreter, sharing one namespace."""
    payload = json.dumps({"file": file, "blocks": blocks})
    with tempfile.TemporaryDirectory() as tmp:
        try:
            proc = subprocess.run(
                [PYTHON, str(Path(__file__).resolve()), "--worker"],
                input=payload,
                capture_output=True,
                text=True,
                timeout=SESSION_TIMEOUT,
                cwd=tmp,
            )
        except subprocess.TimeoutExpired:
            return [f"FAIL {file}: sessions: timed out after {SESSION_TIMEOUT}s"]
    if proc.returncode != 0 and not proc.stdout.strip():
        return [f"FAIL {file}: sessions: worker crashed: {proc.stderr.strip()[-800:]}"]
    return [line for line in proc.stdout.split("\n\x00\n") if line.strip()]


def worker() -> None:
    """Doctest worker: reads blocks on stdin, prints failures separated by NUL lines."""
    import doctest
    import io

    data = json.loads(sys.stdin.read())
    globs: dict = {"__name__": "__main__"}
    parser = doctest.DocTestParser()
    flags = 0
    out = []
    for block in data["blocks"]:
        name = f"{block['entry']}@{block['line']}"  # unique, so doctest's linecache entries never clash
        test = parser.get_doctest(block["code"], globs, name, data["file"], block["line"])
        runner = doctest.DocTestRunner(optionflags=flags, verbose=False)
        buf = io.StringIO()
        runner.run(test, out=buf.write, clear_globs=False)
        globs = test.globs  # DocTest copies its globals; carry them to the next session
        if runner.failures:
            out.append(
                f"FAIL {data['file']}: {block['entry']} (session at body line {block['line']}):\n"
                + buf.getvalue().rstrip()
            )
    sys.stdout.write("\n\x00\n".join(out))


def run_script(block: CodeBlock) -> str | None:
    with tempfile.TemporaryDirectory() as tmp:
        try:
            proc = subprocess.run(
                [PYTHON, "-c", block.code],
                capture_output=True,
                text=True,
                timeout=SCRIPT_TIMEOUT,
                cwd=tmp,
            )
        except subprocess.TimeoutExpired:
            return f"FAIL {block.file}: {block.entry} (script at body line {block.line}): timed out after {SCRIPT_TIMEOUT}s"
    if proc.returncode != 0:
        return (
            f"FAIL {block.file}: {block.entry} (script at body line {block.line}): "
            f"exited {proc.returncode}: {proc.stderr.strip()[-800:]}"
        )
    return None


def compile_only(block: CodeBlock) -> str | None:
    try:
        compile(block.code, f"{block.file}:{block.line}", "exec")
    except SyntaxError as err:
        return f"FAIL {block.file}: {block.entry} (block at body line {block.line}): does not compile: {err}"
    return None


def run_predict(file: str, slug: str, code: str, expected: str) -> str | None:
    with tempfile.TemporaryDirectory() as tmp:
        try:
            proc = subprocess.run(
                [PYTHON, "-c", code], capture_output=True, text=True, timeout=SCRIPT_TIMEOUT, cwd=tmp
            )
        except subprocess.TimeoutExpired:
            return f"FAIL {file}: quiz item {slug}: code timed out"
    if proc.returncode != 0:
        return f"FAIL {file}: quiz item {slug}: code exited {proc.returncode}: {proc.stderr.strip()[-400:]}"
    actual = proc.stdout.rstrip("\n")
    if actual != expected:
        return f"FAIL {file}: quiz item {slug}: correct option is {expected!r} but the code prints {actual!r}"
    return None


# --------------------------------------------------------------------------- duplicates

# Two questions whose similarity reaches this score ask the same thing. Calibrated on
# the catalogue: the duplicates found scored 0.435 to 0.68 (fundamentals vs
# memory-internals on `del` and refcounting was the lowest); reviewed distinct angles on
# one subject score up to 0.425 (what-is-cors vs cors-preflight). The score is the mean
# of two TF-IDF cosine similarities: over title, prompt and tags, and over the answer.
DUPLICATE_THRESHOLD = 0.43
# Pairs above the threshold that a reviewer judged to be different questions. Add one
# only with the reason; rewording a question so it scores lower is usually better.
REVIEWED_DISTINCT: dict[frozenset[str], str] = {}
STOPWORDS = frozenset(
    """a an the and or of to in is are be do does did you your it its what why how when
    which with for on at by as that this not can from into there their than then vs versus
    if so would should each one all any some use using used explain difference between way
    ways make makes made happens happen actually exactly work works python example say case
    print true false none def return self""".split()
)


@dataclass
class QuestionText:
    key: str  # topic/slug
    file: str
    title: str
    head: str  # title, prompt and tags
    body: str


def load_question_texts(seed: Path) -> list[QuestionText]:
    """Every question of the catalogue, leniently (format errors are reported elsewhere)."""
    out = []
    for qpath in sorted((seed / "topics").glob("*/questions/*.md")):
        parsed = split_front_matter(qpath, Report())
        if not parsed:
            continue
        meta, body = parsed
        title, prompt = str(meta.get("title", "")), str(meta.get("prompt", ""))
        tags = " ".join(str(t) for t in meta.get("tags", []))
        key = f"{qpath.parent.parent.name}/{qpath.stem}"
        out.append(QuestionText(key, str(qpath.relative_to(seed)), title, f"{title}\n{prompt}\n{tags}", body))
    return out


def _terms(text: str) -> collections.Counter:
    words = re.findall(r"[a-z_][a-z0-9_]*", text.casefold())
    terms = collections.Counter()
    for w in words:
        if w in STOPWORDS or len(w) < 2:
            continue
        for suffix in ("ing", "es", "s", "ed"):  # crude stemming: "caches" ~ "cache"
            if len(w) > 4 and w.endswith(suffix):
                w = w[: -len(suffix)]
                break
        terms[w] += 1
    return terms


def _tfidf(texts: list[str]) -> list[dict[str, float]]:
    counts = [_terms(t) for t in texts]
    df = collections.Counter(w for c in counts for w in c)
    vectors = []
    for c in counts:
        v = {w: (1 + math.log(n)) * math.log(len(counts) / df[w]) for w, n in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors.append({w: x / norm for w, x in v.items() if x})
    return vectors


def _cosines(vectors: list[dict[str, float]]) -> dict[tuple[int, int], float]:
    """Pairwise dot products of unit vectors via an inverted index (only pairs sharing a term)."""
    index: dict[str, list[tuple[int, float]]] = collections.defaultdict(list)
    for i, v in enumerate(vectors):
        for w, x in v.items():
            index[w].append((i, x))
    dots: dict[tuple[int, int], float] = collections.defaultdict(float)
    for postings in index.values():
        for a in range(len(postings)):
            i, x = postings[a]
            for j, y in postings[a + 1 :]:
                dots[(i, j)] += x * y
    return dots


def check_duplicates(questions: list[QuestionText], wanted, report: Report) -> None:
    """Same normalised title, or a near-duplicate question; pairs touching a wanted topic."""
    norm = lambda s: " ".join(s.casefold().split())  # noqa: E731
    first_title: dict[str, QuestionText] = {}
    for q in questions:
        t = norm(q.title)
        other = first_title.setdefault(t, q)
        if other is not q and (wanted(q.key) or wanted(other.key)):
            report.fail(q.file, "question", f"same title as {other.file}: {q.title!r}")
    head = _cosines(_tfidf([q.head for q in questions]))
    body = _cosines(_tfidf([q.body for q in questions]))
    checked = 0
    for (i, j) in head.keys() | body.keys():
        a, b = questions[i], questions[j]
        if not (wanted(a.key) or wanted(b.key)):
            continue
        checked += 1
        h, bd = head.get((i, j), 0.0), body.get((i, j), 0.0)
        score = (h + bd) / 2
        if score >= DUPLICATE_THRESHOLD and frozenset((a.key, b.key)) not in REVIEWED_DISTINCT:
            report.fail(
                a.file,
                "question",
                f"near-duplicate of {b.file}: similarity {score:.2f} >= {DUPLICATE_THRESHOLD} "
                f"(title+prompt {h:.2f}, answer {bd:.2f}); give one a different angle "
                "(new title, prompt and answer; keep the slug) and link the other",
            )
    report.ok()


# --------------------------------------------------------------------------- versions

FRAMEWORKS = r"(?:FastAPI|Pydantic|Starlette|SQLAlchemy|httpx|PyJWT|pytest|Uvicorn|Gunicorn|Alembic)"
VERSION_NUMBER = re.compile(r"\d+\.(?:\d+|x)\b|\bv\d+\b", re.I)
VERSION_SENSITIVE = [
    ("python", re.compile(r"(?<![\w.])3\.(?:1[2-9]|[2-9]\d)(?!\.?\d)")),
    ("free-threading", re.compile(r"free[- ]thread(?:ed|ing)|\bnogil\b", re.I)),
    ("pep", re.compile(r"\bPEP\s?\d+", re.I)),
    ("framework", re.compile(rf"\b{FRAMEWORKS}\s+(?:v\d+(?:\.\d+)*\b|\d+\.(?:\d+|x)(?:\.\d+)*)", re.I)),
]
# A claim about a framework's history ("since FastAPI ...", "older Pydantic releases",
# "Starlette no longer ...") must name the version it is true of.
HISTORY_CLAIM = re.compile(
    rf"\b(?:since|before|until|prior to|as of|(?:added|introduced|deprecated|removed|changed|new) in)"
    rf"\s+(?:the\s+)?{FRAMEWORKS}\b(?!'s)"
    rf"|\b(?:older|newer|recent|earlier|later|latest|current|modern|old|previous)\s+{FRAMEWORKS}\s+(?:release|version)s?\b"
    rf"|\b{FRAMEWORKS}\s+(?:(?:release|version)s?\s+(?:before|since|until|prior to|older than)|no longer|used to|formerly)\b"
    rf"|\bno longer\s+\w+\s+(?:by|in)\s+{FRAMEWORKS}\b",
    re.I,
)
SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]*]*\s+(?=[A-Z`*\"'(\[_])")
BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+\.\s|#{1,6}\s|\+\+\+|\[\[|[A-Za-z_]+\s*=|[\"'])")
# Front-matter and TOML keys whose values are identifiers, not prose.
NOT_PROSE = re.compile(r"^(?:slug|question|tags|kind|correct|difficulty|order|topics|prerequisites|electives)\s*=")
TOML_KEY = re.compile(r"^[A-Za-z_]+\s*=\s*\[?\s*(?:\'\'\'|\"\"\"|\"|')?")


def prose_paragraphs(text: str) -> list[list[tuple[int, str]]]:
    """Paragraphs of prose (1-based line, text) with fenced code and TOML `code` strings left out."""
    paragraphs: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    fence = None
    in_code_string = False
    for n, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if in_code_string:
            in_code_string = "'''" not in stripped and '"""' not in stripped
            continue
        if fence:
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                fence = None
            continue
        m = FENCE.match(line)
        if m:
            fence = m.group(2)
            continue
        if re.match(r"^code\s*=\s*('''|\"\"\")", stripped):
            in_code_string = stripped.count(stripped.split("=", 1)[1].strip()[:3]) < 2
            continue
        if not stripped or BLOCK_START.match(line):
            if current:
                paragraphs.append(current)
            current = []
            if not stripped or stripped == "+++" or NOT_PROSE.match(stripped):
                continue
            if TOML_KEY.match(stripped) or stripped[0] in "\"'":  # a TOML value: drop key and quotes
                stripped = TOML_KEY.sub("", stripped).lstrip("\"'").rstrip("\"',]").strip()
        current.append((n, stripped))
    if current:
        paragraphs.append(current)
    return paragraphs


def sentences(text: str):
    """(line, sentence) for every prose sentence of a Markdown or TOML file."""
    for para in prose_paragraphs(text):
        joined, starts = "", []
        for n, part in para:
            starts.append((len(joined), n))
            joined += part + " "
        pos = 0
        for piece in SENTENCE_END.split(joined):
            offset = joined.find(piece, pos)
            pos = offset + len(piece)
            line = max(n for start, n in starts if start <= max(offset, 0))
            if piece.strip():
                yield line, piece.strip()


def check_versions(seed: Path, files: list[Path], report: Report) -> list[tuple[str, int, str, list[str]]]:
    """Version-sensitive sentences of the files; fails history claims without a version."""
    found = []
    for path in files:
        rel = str(path.relative_to(seed))
        for line, sentence in sentences(path.read_text(encoding="utf-8")):
            kinds = [kind for kind, rx in VERSION_SENSITIVE if rx.search(sentence)]
            if kinds:
                found.append((rel, line, sentence, kinds))
            claim = HISTORY_CLAIM.search(sentence)
            if claim and not VERSION_NUMBER.search(sentence):
                report.fail(
                    rel,
                    f"line {line}",
                    f"history claim {claim.group(0)!r} names no version; say which release "
                    f"(e.g. 'since FastAPI 0.110'): {sentence[:160]}",
                )
    report.ok()
    return found


# --------------------------------------------------------------------------- structure


def check(seed: Path, topics_filter: set[str], articles_filter: set[str], jobs: int) -> Report:
    report = Report()
    blocks: list[CodeBlock] = []
    predicts: list[tuple[str, str, str, str]] = []
    version_files: list[Path] = []  # prose scanned for version-sensitive sentences
    filtered = bool(topics_filter or articles_filter)

    def wanted_topic(slug: str) -> bool:
        return not filtered or slug in topics_filter

    # Tracks: which topics sit where, and the minimums each topic must meet.
    topic_minimum: dict[str, tuple[int, int, int, int]] = {}
    track_refs: list[tuple[Path, str]] = []
    for path in sorted((seed / "tracks").glob("*.toml")):
        track = load_toml(path, report)
        if track is None:
            continue
        slug = path.stem
        if not SLUG.match(slug):
            report.fail(path, "track", f"slug {slug!r} is not a valid slug")
        minimum = MINIMUMS.get(slug, DEFAULT_MINIMUM)
        placed = []
        for stage in track.get("stages", []):
            placed += stage.get("topics", [])
        placed += track.get("electives", [])
        seen = set()
        for topic in placed:
            if topic in seen:
                report.fail(path, f"topic {topic}", "placed twice on the track")
            seen.add(topic)
            track_refs.append((path, topic))
            prev = topic_minimum.get(topic, (0, 0, 0, 0))
            topic_minimum[topic] = tuple(max(a, b) for a, b in zip(prev, minimum))  # type: ignore[assignment]

    topic_dirs = {p.name: p for p in sorted((seed / "topics").iterdir()) if p.is_dir()} if (seed / "topics").exists() else {}
    for path, topic in track_refs if not filtered else []:
        if topic not in topic_dirs:
            report.fail(path, f"topic {topic}", "no such topic directory under topics/")

    for slug, tdir in topic_dirs.items():
        if not wanted_topic(slug):
            continue
        rel = tdir.relative_to(seed)
        if not SLUG.match(slug):
            report.fail(rel, "topic", f"slug {slug!r} is not a valid slug")
        topic_file = tdir / "topic.md"
        version_files += [p for p in (topic_file, tdir / "flashcards.toml", tdir / "quiz.toml") if p.exists()]
        version_files += sorted((tdir / "questions").glob("*.md"))
        if not topic_file.exists():
            report.fail(rel, "topic", "missing topic.md")
        else:
            parsed = split_front_matter(topic_file, report)
            if parsed:
                meta, body = parsed
                if not meta.get("title"):
                    report.fail(topic_file.relative_to(seed), "topic", "title is missing")
                if not body.strip():
                    report.fail(topic_file.relative_to(seed), "topic", "summary body is empty")
                if len(meta.get("key_points", [])) < 3:
                    report.fail(topic_file.relative_to(seed), "topic", "needs at least 3 key_points")
                for pre in meta.get("prerequisites", []):
                    if pre not in topic_dirs:
                        report.fail(topic_file.relative_to(seed), "topic", f"prerequisite {pre!r} does not exist")
                blocks += code_blocks(body, str(topic_file.relative_to(seed)), "summary")

        question_slugs: set[str] = set()
        for qpath in sorted((tdir / "questions").glob("*.md")):
            qrel = str(qpath.relative_to(seed))
            qslug = qpath.stem
            if not SLUG.match(qslug):
                report.fail(qrel, "question", f"slug {qslug!r} is not a valid slug")
            question_slugs.add(qslug)
            parsed = split_front_matter(qpath, report)
            if not parsed:
                continue
            meta, body = parsed
            for key in ("title", "prompt"):
                if not str(meta.get(key, "")).strip():
                    report.fail(qrel, "question", f"{key} is missing")
            if meta.get("difficulty") not in DIFFICULTIES:
                report.fail(qrel, "question", f"difficulty must be one of {DIFFICULTIES}")
            if not body.strip():
                report.fail(qrel, "question", "answer body is empty")
            # Every seed question carries the rubric a learner grades a cold answer
            # against: 3 to 6 key points, one line each (the server checks the same).
            rubric = meta.get("rubric")
            if not isinstance(rubric, list) or not 3 <= len(rubric) <= 6:
                report.fail(qrel, "question", "needs a rubric of 3 to 6 key points")
            else:
                for n, point in enumerate(rubric, 1):
                    if not isinstance(point, str) or not point.strip() or "\n" in point or len(point) > 200:
                        report.fail(qrel, "question", f"rubric point {n} must be one line of 1-200 characters")
            answer_blocks = code_blocks(body, qrel, "answer")
            if not any(b.lang in ("python", "py", "pycon") for b in answer_blocks):
                report.fail(qrel, "question", "answer has no Python code example")
            blocks += answer_blocks
            blocks += code_blocks(str(meta.get("prompt", "")), qrel, "prompt")

        cards = []
        cpath = tdir / "flashcards.toml"
        if cpath.exists():
            data = load_toml(cpath, report) or {}
            cards = data.get("cards", [])
            seen = set()
            for card in cards:
                cslug = card.get("slug", "")
                entry = f"card {cslug or '?'}"
                if not SLUG.match(cslug):
                    report.fail(cpath.relative_to(seed), entry, "slug missing or invalid")
                if cslug in seen:
                    report.fail(cpath.relative_to(seed), entry, "duplicate slug")
                seen.add(cslug)
                for key in ("front", "back"):
                    if not str(card.get(key, "")).strip():
                        report.fail(cpath.relative_to(seed), entry, f"{key} is missing")
                    blocks += code_blocks(str(card.get(key, "")), str(cpath.relative_to(seed)), f"{entry} {key}")
                if "question" in card and card["question"] not in question_slugs:
                    report.fail(cpath.relative_to(seed), entry, f"question {card['question']!r} not in this topic")

        items = []
        ipath = tdir / "quiz.toml"
        if ipath.exists():
            data = load_toml(ipath, report) or {}
            items = data.get("items", [])
            seen = set()
            for item in items:
                islug = item.get("slug", "")
                entry = f"quiz item {islug or '?'}"
                irel = ipath.relative_to(seed)
                if not SLUG.match(islug):
                    report.fail(irel, entry, "slug missing or invalid")
                if islug in seen:
                    report.fail(irel, entry, "duplicate slug")
                seen.add(islug)
                kind = item.get("kind")
                if kind not in KINDS:
                    report.fail(irel, entry, f"kind must be one of {sorted(KINDS)}")
                    continue
                options = item.get("options", ["True", "False"] if kind == "true_false" else [])
                correct = item.get("correct", [])
                if not (2 <= len(options) <= 8):
                    report.fail(irel, entry, "needs 2 to 8 options")
                if len(set(options)) != len(options):
                    report.fail(irel, entry, "options repeat")
                if not correct or any(not isinstance(c, int) or not 0 <= c < len(options) for c in correct):
                    report.fail(irel, entry, "correct must list valid 0-based option indices")
                    continue
                if kind != "multiple_choice" and len(correct) != 1:
                    report.fail(irel, entry, f"{kind} needs exactly one correct option")
                for key in ("prompt", "explanation"):
                    if not str(item.get(key, "")).strip():
                        report.fail(irel, entry, f"{key} is missing")
                blocks += code_blocks(str(item.get("explanation", "")), str(irel), f"{entry} explanation")
                if "question" in item and item["question"] not in question_slugs:
                    report.fail(irel, entry, f"question {item['question']!r} not in this topic")
                if kind == "predict_output":
                    if not str(item.get("code", "")).strip():
                        report.fail(irel, entry, "predict_output needs code")
                    else:
                        predicts.append((str(irel), islug, item["code"], options[correct[0]]))

        if slug in topic_minimum:
            nq, ni, npred, nc = topic_minimum[slug]
            got_pred = sum(1 for i in items if i.get("kind") == "predict_output")
            for what, have, need in (
                ("questions", len(question_slugs), nq),
                ("quiz items", len(items), ni),
                ("predict_output quiz items", got_pred, npred),
                ("flashcards", len(cards), nc),
            ):
                if have < need:
                    report.fail(rel, "counts", f"{have} {what}, the track needs at least {need}")
                else:
                    report.ok()
        elif not filtered:
            report.fail(rel, "topic", "is not placed on any track")

    for apath in sorted((seed / "articles").glob("*.md")) if (seed / "articles").exists() else []:
        if filtered and apath.stem not in articles_filter:
            continue
        arel = str(apath.relative_to(seed))
        version_files.append(apath)
        if not SLUG.match(apath.stem):
            report.fail(arel, "article", "file name is not a valid slug")
        parsed = split_front_matter(apath, report)
        if not parsed:
            continue
        meta, body = parsed
        for key in ("title", "summary"):
            if not str(meta.get(key, "")).strip():
                report.fail(arel, "article", f"{key} is missing")
        topics = meta.get("topics", [])
        if not topics:
            report.fail(arel, "article", "must belong to at least one topic")
        for t in topics:
            if t not in topic_dirs:
                report.fail(arel, "article", f"topic {t!r} does not exist")
        blocks += code_blocks(body, arel, "body")

    report.versions = check_versions(seed, version_files, report)  # type: ignore[attr-defined]
    if not filtered or topics_filter:
        check_duplicates(load_question_texts(seed), lambda key: wanted_topic(key.split("/")[0]), report)

    # Run the code.
    sessions: dict[str, list[dict]] = {}
    scripts: list[CodeBlock] = []
    for b in blocks:
        if b.lang not in ("python", "py", "pycon"):
            continue
        if "norun" in b.flags:
            err = compile_only(b)
            report.failures.append(err) if err else report.ok()
        elif is_session(b):
            sessions.setdefault(b.file, []).append({"entry": b.entry, "line": b.line, "code": b.code})
        else:
            scripts.append(b)

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_sessions, f, bs) for f, bs in sessions.items()]
        futures += [pool.submit(run_script, b) for b in scripts]
        futures += [pool.submit(run_predict, *p) for p in predicts]
        for fut in futures:
            res = fut.result()
            if isinstance(res, list):
                report.failures.extend(res)
                if not res:
                    report.ok()
            elif res:
                report.failures.append(res)
            else:
                report.ok()
    report.counts = {  # type: ignore[attr-defined]
        "session files": len(sessions),
        "sessions": sum(len(v) for v in sessions.values()),
        "scripts": len(scripts),
        "predict_output items": len(predicts),
    }
    return report


def main() -> int:
    if "--worker" in sys.argv:
        worker()
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("seed", nargs="?", default=str(Path(__file__).resolve().parent))
    ap.add_argument("--topic", action="append", default=[])
    ap.add_argument("--article", action="append", default=[])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--python", default=sys.executable, help="interpreter that runs the examples")
    ap.add_argument(
        "--versions",
        action="store_true",
        help="list the version-sensitive sentences (file, line, sentence) to re-read after "
        "requirements-content.txt or the Python version changes",
    )
    args = ap.parse_args()
    global PYTHON
    PYTHON = os.path.abspath(args.python)  # examples run in temp dirs; keep venv symlinks
    report = check(Path(args.seed), set(args.topic), set(args.article), args.jobs)
    for line in report.failures:
        print(line)
        print()
    versions = report.versions  # type: ignore[attr-defined]
    if args.versions:
        for rel, line, sentence, kinds in versions:
            print(f"{rel}:{line}: [{', '.join(kinds)}] {sentence}")
        print()
    print(
        f"content: {len(versions)} version-sensitive sentences in "
        f"{len({v[0] for v in versions})} files (list them with --versions)"
    )
    counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())  # type: ignore[attr-defined]
    print(f"content check ran {counts}")
    print(f"content: {report.passed} passed, {len(report.failures)} failed")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
