"""Score step: every declared check gets exactly one result, whatever happened before."""
from __future__ import annotations

import dataclasses

from autograder.helper.text import T
from autograder.engine.submission import CheckInfo, CheckResult, Submission

NOT_GRADED = T("This check did not run because the submission could not be graded.",
               "제출물을 채점할 수 없어 이 항목을 실행하지 못했습니다.")


def _declared(result: CheckResult, info: CheckInfo) -> CheckResult:
    """A result under its check's declared info, its score within [0, the declared points]: a result
    made elsewhere (a journal line, another version of the kit) cannot bring points of its own."""
    points = min(max(float(result.score), 0.0), info.points) if result.score == result.score else 0.0
    if result.info == info and points == result.score:
        return result
    return dataclasses.replace(result, info=info, score=points)


def score(sub: Submission, checks: tuple[CheckInfo, ...]) -> Submission:
    """Order results as the checks are declared; a check without a result scores 0 as 'not_graded'.
    Only the declared checks count, each at most its declared points."""
    by_id = {r.check_id: r for r in sub.results}
    results = tuple(
        _declared(by_id[info.check_id], info) if info.check_id in by_id
        else CheckResult(info=info, score=0.0, status="not_graded", message=NOT_GRADED)
        for info in checks
    )
    status = sub.status if sub.status not in ("pending",) else "graded"
    return sub.with_(results=results, status=status)
