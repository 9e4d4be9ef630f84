"""Similarity across a class: which pairs of submissions share code beyond what honest work shares.

Evidence for a person to judge, never a penalty: nothing here changes a score.

The fingerprints are copydetect's (a maintained implementation of MOSS's winnowing, Schleimer,
Wilkerson and Aiken 2003): its lexer replaces every name by one letter and drops comments and
blank lines, so renamed variables and changed comments do not hide a copy; a file's fingerprints
are a set, so reordered functions and code moved between cells do not either.  A notebook and a
.py become the same text (their code, IPython lines dropped).

What is not counted as shared:
* the template's code and the student helper (boilerplate: every student has them);
* what independent correct solutions share: fingerprints found in two or more of the lecture's
  ``independent_solutions`` (its correct forms of each function, picked at random);
* passages in more than :func:`frequent_limit` of the class's files (MOSS's ``-m``).
What a pair shares beyond that, as a share of each file's own fingerprints, ranks the pairs.

It runs after the jail is done, on the staged copies' text the load step kept, in a process of
its own (``python -m autograder.engine.similarity``) with a memory and a time limit: a hostile
file can cost its own comparison (noted), never the grades or the reports.
"""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from itertools import combinations
from pathlib import Path

#: Characters of filtered code per fingerprint (copydetect's noise threshold; its default is 25).  These
#: functions are short: 25 leaves one or two fingerprints of a body; 15 keeps a line of code each.
K = 15
#: A file's code beyond this is not compared (a weight_init notebook's code is a few kB); the cut is noted.
MAX_CODE_CHARS = 200_000
#: A pair is listed when this share of one file's own code is in the other (--similarity N).  On the planted
#: class of tests/engine/test_similarity.py copies score 0.98-1.0 and independent pairs at most about 0.1.
DEFAULT_THRESHOLD = 0.5
#: ... and when it shares at least this many fingerprints beyond it (a near-empty file shares 100% of little).
MIN_SHARED = 8
#: At most this many pairs get a side-by-side page.
MAX_PAIRS = 100
#: One file's fingerprinting may take this long; the whole comparison this long per file, plus a minute.
FILE_SECONDS = 5.0
RUN_SECONDS = 60.0
RUN_SECONDS_PER_FILE = 0.5
MEMORY_MB = 4096


@dataclass(frozen=True)
class Document:
    key: str
    """Unique within a run: the row's student id (or ``earlier:<folder>:<id>``)."""
    label: str
    """What a person reads: student id and name."""
    code: str
    earlier: bool = False
    """From --compare-with: compared with this class only, not with its own folder."""


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    shared: tuple[float, float]
    """Share of each file's fingerprints that the other has, template excluded."""
    beyond: tuple[float, float]
    """... not counting what independent correct solutions and much of the class share."""
    own: tuple[float, float]
    """Of each file's own code (what neither the template, independent solutions nor much of the class
    share), the share the other file has: what ranks the pairs."""
    fingerprints: int
    """Fingerprints shared beyond the baseline."""
    html: tuple[str, str] = ("", "")
    """Each file's code, escaped, the passages shared beyond the baseline in <mark>."""

    @property
    def score(self) -> float:
        return max(self.own)


@dataclass(frozen=True)
class Report:
    pairs: tuple[Pair, ...]
    threshold: float
    compared: int
    """Files compared (this class and any earlier one)."""
    baseline: dict = field(default_factory=dict)
    """What independent correct solutions share: {"n", "mean", "p95", "max"} (shares of a file)."""
    labels: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    seconds: float = 0.0


# ---- the text compared ------------------------------------------------------------------------


def code_text(cells) -> str:
    """A submission's code as one text: its cells (notebook or .py) joined, IPython lines dropped
    (a notebook's ``%matplotlib`` and an nbconvert script's ``get_ipython()`` say the same)."""
    lines = []
    for cell in cells:
        for line in str(cell.get("source", "")).splitlines():
            bare = line.strip()
            if bare.startswith(("%", "!")) or "get_ipython()" in bare:
                continue
            lines.append(line)
    return "\n".join(lines)


# ---- inside the similarity process ------------------------------------------------------------


class _Slow(Exception):
    pass


def _alarm(_signum, _frame):
    raise _Slow()


def _fingerprints(code: str) -> list[int]:
    """Every k-gram hash of the filtered code (copydetect; window 1 keeps them all, which is what
    MOSS's guarantee threshold = noise threshold means)."""
    from copydetect.utils import filter_code, get_document_fingerprints

    filtered, _ = filter_code(code, "submission.py", "python")
    hashes, _ = get_document_fingerprints(filtered, K, 1)
    return sorted(int(h) for h in hashes)


def _fingerprint_one(code: str) -> list[int] | str:
    """Fingerprints, or why there are none: an error never leaves this function, a slow file is cut."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, FILE_SECONDS)
    try:
        return _fingerprints(code)
    except _Slow:
        return f"took over {FILE_SECONDS:g} s to read"
    except (Exception, RecursionError) as exc:
        return f"could not be read ({type(exc).__name__})"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _fingerprint_all(codes: list[str], jobs: int) -> list[list[int] | str]:
    """Fingerprints of every text, in forked worker processes (they share this process's string
    hashing, which copydetect's fingerprints are made of).  A worker that dies costs the texts it
    held a second try each, alone; one that fails again is noted."""
    if jobs <= 1 or len(codes) < 64:
        return [_fingerprint_one(c) for c in codes]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("fork")  # this process runs no thread of its own
    out: list[list[int] | str | None] = [None] * len(codes)
    size = max(1, -(-len(codes) // (jobs * 4)))
    chunks = [list(range(k, min(k + size, len(codes)))) for k in range(0, len(codes), size)]
    retry: list[int] = []
    with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
        futures = [(chunk, pool.submit(_fingerprint_chunk, [codes[i] for i in chunk])) for chunk in chunks]
        for chunk, fut in futures:
            try:
                for i, fp in zip(chunk, fut.result()):
                    out[i] = fp
            except Exception:  # the worker died (memory, a signal): its texts are tried again alone
                retry += chunk
    for i in retry:
        with ProcessPoolExecutor(1, mp_context=ctx) as pool:
            try:
                out[i] = pool.submit(_fingerprint_one, codes[i]).result()
            except Exception:
                out[i] = "could not be read (its reader died)"
    return [o if o is not None else "could not be read" for o in out]


def _fingerprint_chunk(codes: list[str]) -> list[list[int] | str]:
    return [_fingerprint_one(c) for c in codes]


def frequent_limit(n: int) -> int:
    """A passage in more files than this is the class's common ground, not a copy (MOSS's -m is 10); the
    cap also bounds the pairs one passage makes (a copy ring larger than it is not seen)."""
    return max(10, min(n // 20, 30))


def _baseline(solutions: list[set[int]]) -> tuple[set[int], dict]:
    """What independent correct solutions share: the fingerprints two or more have, and how much of
    a solution that is for another (shares over every pair)."""
    seen: dict[int, int] = {}
    for fps in solutions:
        for h in fps:
            seen[h] = seen.get(h, 0) + 1
    common = {h for h, n in seen.items() if n >= 2}
    shares = sorted(len(a & b) / len(a) for a, b in combinations(solutions, 2) if a) + \
        sorted(len(a & b) / len(b) for a, b in combinations(solutions, 2) if b)
    shares.sort()
    stats = {"n": len(solutions)}
    if shares:
        stats.update(mean=sum(shares) / len(shares), p95=shares[int(0.95 * (len(shares) - 1))], max=shares[-1])
    return common, stats


def compare(request: dict) -> dict:
    """The comparison itself (in the similarity process): ``request`` as :func:`run` writes it."""
    started = time.monotonic()
    docs = [Document(**d) for d in request["documents"]]
    threshold, jobs = float(request["threshold"]), int(request.get("jobs", 1))
    notes: list[str] = []
    for d in docs:
        if len(d.code) > MAX_CODE_CHARS:
            notes.append(f"{d.label}: only its first {MAX_CODE_CHARS:,} characters of code were compared")
    texts = [d.code[:MAX_CODE_CHARS] for d in docs] + list(request["template"]) + list(request["independent"])
    found = _fingerprint_all(texts, jobs)
    mine, rest = found[:len(docs)], found[len(docs):]
    template = rest[:len(request["template"])]
    boiler = set().union(*(set(f) for f in template if not isinstance(f, str)))
    independent = [set(f) - boiler for f in rest[len(template):] if not isinstance(f, str)]
    common, baseline = _baseline(independent)

    files: dict[int, set[int]] = {}
    for i, (d, fp) in enumerate(zip(docs, mine)):
        if isinstance(fp, str):
            notes.append(f"{d.label}: not compared: its code {fp}")
            continue
        files[i] = set(fp) - boiler
    counts: dict[int, int] = {}
    for i, fps in files.items():
        if not docs[i].earlier:
            for h in fps:
                counts[h] = counts.get(h, 0) + 1
    limit = frequent_limit(sum(not d.earlier for d in docs))
    common |= {h for h, n in counts.items() if n > limit}

    postings: dict[int, list[int]] = {}
    for i, fps in files.items():
        for h in fps - common:
            postings.setdefault(h, []).append(i)
    together: dict[tuple[int, int], int] = {}
    for holders in postings.values():
        if len(holders) > 1:
            for a, b in combinations(holders, 2):
                if not (docs[a].earlier and docs[b].earlier):
                    together[(a, b)] = together.get((a, b), 0) + 1
    pairs = []
    for (a, b), n in together.items():
        if n < MIN_SHARED:
            continue
        fa, fb = files[a], files[b]
        beyond = (n / len(fa), n / len(fb))
        own = (n / len(fa - common), n / len(fb - common))
        if max(own) >= threshold:
            both = len(fa & fb)
            pairs.append((max(own), a, b, (both / len(fa), both / len(fb)), beyond, n, own))
    pairs.sort(key=lambda p: (-p[0], docs[p[1]].key, docs[p[2]].key))
    listed = []
    for rank, (_, a, b, shared, beyond, n, own) in enumerate(pairs):
        html = _side_by_side(docs[a].code[:MAX_CODE_CHARS], docs[b].code[:MAX_CODE_CHARS], boiler | common) \
            if rank < MAX_PAIRS else ("", "")
        listed.append(Pair(docs[a].key, docs[b].key, shared, beyond, own, n, html))
    if len(pairs) > MAX_PAIRS:
        notes.append(f"{len(pairs)} pairs are over the threshold; the first {MAX_PAIRS} have a side-by-side page")
    report = Report(tuple(listed), threshold, len(files), baseline, {d.key: d.label for d in docs}, tuple(notes),
                    time.monotonic() - started)
    return asdict(report)


def _side_by_side(code_a: str, code_b: str, ignore: set[int]) -> tuple[str, str]:
    """Both files, escaped, with the passages they share beyond ``ignore`` marked (copydetect's own
    overlap and highlighting)."""
    import numpy as np
    from copydetect import CodeFingerprint, compare_files
    from copydetect.utils import highlight_overlap

    boiler = np.array(sorted(ignore), dtype=np.int64) if ignore else None
    try:
        fa = CodeFingerprint("a.py", K, 1, boilerplate=boiler, fp=io.StringIO(code_a), language="python")
        fb = CodeFingerprint("b.py", K, 1, boilerplate=boiler, fp=io.StringIO(code_b), language="python")
        _, _, (slices_a, slices_b) = compare_files(fa, fb)
        marked = []
        for code, slices in ((code_a, slices_a), (code_b, slices_b)):
            if len(np.asarray(slices).shape) != 2 or np.asarray(slices).shape[1] == 0:
                marked.append(_escape(code))
            else:
                marked.append(highlight_overlap(code, np.asarray(slices), "<mark>", "</mark>", escape_html=True)[0])
        return marked[0], marked[1]
    except (Exception, RecursionError):
        return _escape(code_a), _escape(code_b)


def _escape(text: str) -> str:
    import html

    return html.escape(text)


# ---- the grading process's side ---------------------------------------------------------------


def run(documents: list[Document], template: list[str], independent: list[str],
        threshold: float = DEFAULT_THRESHOLD, jobs: int = 1) -> Report:
    """Compare ``documents`` in a process of their own; a failure there is a note, never an exception."""
    request = {"documents": [asdict(d) for d in documents], "template": template, "independent": independent,
               "threshold": threshold, "jobs": jobs}
    seconds = RUN_SECONDS + RUN_SECONDS_PER_FILE * (len(documents) + len(independent))

    def limit_memory() -> None:
        import resource

        limit = MEMORY_MB * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "autograder.engine.similarity"], input=json.dumps(request),
                              capture_output=True, text=True, timeout=seconds,
                              preexec_fn=limit_memory if os.name == "posix" else None,
                              env=dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg"))
        if done.returncode != 0:
            raise RuntimeError((done.stderr.strip().splitlines() or ["no output"])[-1])
        found = json.loads(done.stdout)
    except subprocess.TimeoutExpired:
        return _failed(threshold, f"the comparison took over {seconds:.0f} s and was stopped", started)
    except Exception as exc:  # noqa: BLE001  the grades never depend on it
        return _failed(threshold, f"the comparison failed: {exc}", started)
    pairs = tuple(Pair(p["a"], p["b"], tuple(p["shared"]), tuple(p["beyond"]), tuple(p["own"]), p["fingerprints"], tuple(p["html"]))
                  for p in found["pairs"])
    return Report(pairs, found["threshold"], found["compared"], found["baseline"], found["labels"],
                  tuple(found["notes"]), time.monotonic() - started)


@dataclass(frozen=True)
class Options:
    """``initlab grade --similarity off|N --compare-with DIR``."""

    threshold: float = DEFAULT_THRESHOLD
    compare_with: tuple[str, ...] = ()


def parse_threshold(text: str) -> float | None:
    """``off`` (None), or the listing threshold N in percent (0-100)."""
    if text.strip().lower() == "off":
        return None
    value = float(text.strip().rstrip("%"))
    if not 0 < value <= 100:
        raise ValueError("the similarity threshold is a percentage above 0, at most 100 (or 'off')")
    return value / 100


def documents(subs) -> list[Document]:
    """This class's code: every submission the load step read (the staged copies' text)."""
    return [Document(s.student_id, f"{s.student_id} {s.name}".strip(), code_text(s.source.cells))
            for s in subs if s.source is not None]


def earlier_documents(folder: str | Path, stem: str) -> tuple[list[Document], list[str]]:
    """An earlier week's or year's class (a folder or a Moodle zip), read like this one but never run."""
    import shutil

    from autograder.engine.steps.ingest import discover
    from autograder.engine.steps.load import load_file
    from autograder.engine.steps.stage import make_staging, stage

    folder = Path(folder)
    docs, notes = [], []
    try:
        source = discover(folder, stem)
    except Exception as exc:  # noqa: BLE001  an unreadable folder costs its comparison, not the grades
        return [], [f"--compare-with {folder}: could not be read ({exc})"]
    staging = make_staging()
    try:
        for sub in stage(source, staging):
            if sub.path is None:
                continue
            try:
                loaded = load_file(sub.path)
            except Exception:  # noqa: BLE001
                notes.append(f"{folder.name}/{sub.student_id}: could not be read; not compared")
                continue
            docs.append(Document(f"earlier:{folder}:{sub.student_id}", f"{folder.name}/{sub.student_id} {sub.name}".strip(),
                                 code_text(loaded.cells), earlier=True))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return docs, notes


def find_similar(subs, assignment, options: Options, jobs: int = 1) -> Report:
    """The class's similarity report (after grading: every child is gone)."""
    docs, notes = documents(subs), []
    for folder in options.compare_with:
        found, why = earlier_documents(folder, assignment.stem)
        docs += found
        notes += why
    template = [Path(p).read_text(encoding="utf-8") for p in
                (assignment.derived.get("student_py"), assignment.helper_file) if p is not None and Path(p).is_file()]
    independent = assignment.independent_solutions() if assignment.independent_solutions else []
    report = run(docs, template, independent, options.threshold, jobs)
    return replace(report, notes=tuple(notes) + report.notes) if notes else report


def _failed(threshold: float, why: str, started: float) -> Report:
    return Report((), threshold, 0, {}, {}, (why,), time.monotonic() - started)


def main() -> int:
    request = json.load(sys.stdin)
    json.dump(compare(request), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
