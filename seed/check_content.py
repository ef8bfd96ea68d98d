#!/usr/bin/env python3
"""Prove the seed content: structure, counts, links and every code example.

The Rust loader (`studytrack seed`) validates the *format*; this script validates the
*claims*: each interactive session runs under doctest and prints what the text says it
prints, each script example runs cleanly, each predict-the-output quiz item's correct
option is what its code really prints, and every topic meets the track's minimum
counts. It uses only the standard library so it runs anywhere Python 3.11 does.

Usage: check_content.py [SEED_DIR] [--topic SLUG]... [--article SLUG]... [--jobs N]
Prints one line per failure (file, entry, problem) and a closing
"N passed, N failed" line; exits 1 when anything failed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
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


# --------------------------------------------------------------------------- structure


def check(seed: Path, topics_filter: set[str], articles_filter: set[str], jobs: int) -> Report:
    report = Report()
    blocks: list[CodeBlock] = []
    predicts: list[tuple[str, str, str, str]] = []
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
    args = ap.parse_args()
    global PYTHON
    PYTHON = os.path.abspath(args.python)  # examples run in temp dirs; keep venv symlinks
    report = check(Path(args.seed), set(args.topic), set(args.article), args.jobs)
    for line in report.failures:
        print(line)
        print()
    counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())  # type: ignore[attr-defined]
    print(f"content check ran {counts}")
    print(f"content: {report.passed} passed, {len(report.failures)} failed")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
