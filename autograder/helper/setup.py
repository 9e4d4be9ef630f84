"""The week's set-up as plain numbers, as a notebook and the sandbox's child see it.

A released notebook carries its week's numbers in its SETUP cell; a per-student week, a set-up
code the TA sends each student.  Nothing here derives a set-up (that needs the course key, which
only the instructor has), so nothing here can give another week's or another student's numbers.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import zlib

#: The name this file has beside a released notebook (``import initlab_lab as lab``).
MODULE_NAME = "initlab_lab"
#: Bumped when the helper's interface to the notebook or the grader changes.
VERSION = "2"


def grading() -> bool:
    """True while initlab grades this code in its sandbox (read at call time: the sandbox's zygote
    imports this module before the child's environment says so)."""
    return os.environ.get("INITLAB_GRADING") == "1"


def seed_from(*parts: object) -> int:
    """A 63-bit seed from any parts; stable across runs, machines and Python versions."""
    digest = hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def analysis_seed(seed: int, week: int, student_id: str, tag: str) -> int:
    """The seed of the analysis question ``tag`` under a set-up (a 32-bit int, easy to print)."""
    return seed_from("analysis", seed, week, student_id, tag) % 2**32


#: A per-student week's set-up travels as one line of text the TA sends each student.
SETUP_CODE_PREFIX = "initlab1:"


#: The fields a code adds to its set-up: a checksum anyone can recompute (so the notebook notices an
#: edit and says so) and the course's signature (an HMAC with the course key, which only grading can
#: check: an edited code is flagged however well its checksum is redone).
CHECKSUM, SIGNATURE = "sum", "sig"


def canonical(values: dict) -> bytes:
    """The bytes a set-up's checksum and signature are taken over."""
    return json.dumps({k: v for k, v in values.items() if k not in (CHECKSUM, SIGNATURE)}, sort_keys=True,
                      separators=(",", ":")).encode()


def encode_setup(values: dict, signature: str = "") -> str:
    """A set-up as a code to paste into the notebook's SETUP_CODE (for a per-student week), with its
    checksum and, when the instructor's kit gives one, the course's ``signature``."""
    body = dict(values)
    body[CHECKSUM] = hashlib.sha256(canonical(values)).hexdigest()[:12]
    if signature:
        body[SIGNATURE] = signature
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return SETUP_CODE_PREFIX + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


#: A set-up code is a few hundred characters; what it decompresses to, a few hundred bytes.
MAX_SETUP_CODE = 4096
MAX_SETUP_JSON = 16384


def decode_setup(code: str) -> dict:
    """The set-up a code holds; ValueError (in both languages) if it is not one.  Reading it is bounded:
    a long code, a decompression bomb or deeply nested JSON is a damaged code, never an error of its own."""
    text = "".join(str(code)[:MAX_SETUP_CODE * 2].split())
    if not text.startswith(SETUP_CODE_PREFIX):
        raise ValueError("설정 코드가 비어 있거나 잘못되었습니다. 조교가 보낸 코드를 SETUP_CODE에 그대로 붙여 넣으세요. / "
                         "The set-up code is empty or wrong: paste the code your TA sent you into SETUP_CODE.")
    body = text[len(SETUP_CODE_PREFIX):]
    try:
        if len(body) > MAX_SETUP_CODE:
            raise ValueError("too long")
        inflate = zlib.decompressobj()
        raw = inflate.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), MAX_SETUP_JSON)
        if inflate.unconsumed_tail:
            raise ValueError("too large")
        values = json.loads(raw)
    except (ValueError, zlib.error, RecursionError, MemoryError) as exc:
        raise ValueError("설정 코드가 손상되었습니다. 다시 복사해 붙여 넣으세요. / "
                         "The set-up code is damaged: copy and paste it again.") from exc
    if not isinstance(values, dict):
        raise ValueError("not a set-up code")
    if CHECKSUM in values and values[CHECKSUM] != hashlib.sha256(canonical(values)).hexdigest()[:12]:
        raise ValueError("설정 코드가 수정되었습니다. 조교가 보낸 코드를 고치지 말고 그대로 붙여 넣으세요. / "
                         "The set-up code was edited: paste the code your TA sent you exactly as it is.")
    return {k: v for k, v in values.items() if k not in (CHECKSUM, SIGNATURE)}


def setup_signature(code: str) -> str:
    """The course's signature a set-up code carries ('' for none); the code must decode."""
    text = "".join(str(code)[:MAX_SETUP_CODE * 2].split())
    body = text[len(SETUP_CODE_PREFIX):]
    raw = zlib.decompressobj().decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), MAX_SETUP_JSON)
    signature = json.loads(raw).get(SIGNATURE, "")
    return signature if isinstance(signature, str) else ""


class GradedSetup:
    """A week's set-up as plain values: the notebook's SETUP, or what the judge sends the sandbox child.

    Attributes are the set-up's numbers (``V.n_samples``, ``V.lam``, ...); nothing here derives a
    set-up, so nothing here can give another week's or another student's.
    """

    def __init__(self, values: dict):
        for key, value in dict(values).items():
            setattr(self, key, _tuples(value))
        self.seed = int(values.get("seed", 0))
        self.week = int(values.get("week", 0))
        self.student_id = str(values.get("student_id", ""))
        self.per_student = bool(values.get("per_student", False))

    def analysis_seed(self, tag: str) -> int:
        """The seed of the analysis question ``tag`` (the notebook's own cells draw with it)."""
        return analysis_seed(self.seed, self.week, self.student_id, tag)

    def check_seed(self, check_id: str, student_id: str = "") -> int:
        """The seed of a self-check's inputs.  The grader's own seeds come from the course key, which
        is not here: the grader's inputs are as random as these, but not the same."""
        return seed_from("check", self.seed, self.week, self.student_id or student_id, check_id)


def _tuples(value):
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


#: Set by the sandbox child before it runs a submission: what ``variant()`` returns while graded.
_GRADED_SETUP: GradedSetup | None = None


def use_graded_setup(values: dict | None) -> None:
    """Called by the sandbox child (never by a student): the set-up of this grading run."""
    global _GRADED_SETUP
    _GRADED_SETUP = GradedSetup(values) if values is not None else None


def setup_values(setup: dict | str | None, student_id: str, default: dict) -> dict:
    """The plain values of a notebook's SETUP: the week's numbers (a dict the release wrote into the
    notebook), a per-student week's code (a string), or the lecture's own set-up (``default``) when empty."""
    values = decode_setup(setup) if isinstance(setup, str) else dict(setup or {})
    typed = str(student_id or "").strip()
    if values.get("per_student") and typed and typed != values.get("student_id"):
        raise ValueError(f"이 설정 코드는 학번 {values.get('student_id')}의 것입니다. 내 코드를 붙여 넣으세요. / "
                         f"This set-up code belongs to student {values.get('student_id')}: paste your own.")
    return values or dict(default)


def setup_of(setup: dict | str | None, student_id: str, default: dict) -> GradedSetup:
    """This week's set-up, from the notebook's SETUP (see :func:`setup_values`).

    While graded, the set-up is the one the instructor grades against, whatever the notebook says.
    """
    if _GRADED_SETUP is not None:
        return _GRADED_SETUP
    return GradedSetup(setup_values(setup, student_id, default))
