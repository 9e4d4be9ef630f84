"""Score step: every declared check gets exactly one result, whatever happened before."""
from __future__ import annotations

from autograder.helper.text import T
from autograder.engine.submission import CheckInfo, CheckResult, Submission

NOT_GRADED = T("This check did not run because the submission could not be graded.",
               "제출물을 채점할 수 없어 이 항목을 실행하지 못했습니다.")


def score(sub: Submission, checks: tuple[CheckInfo, ...]) -> Submission:
    """Order results as the checks are declared; a check without a result scores 0 as 'not_graded'."""
    by_id = {r.check_id: r for r in sub.results}
    results = tuple(
        by_id.get(info.check_id) or CheckResult(info=info, score=0.0, status="not_graded", message=NOT_GRADED)
        for info in checks
    )
    status = sub.status if sub.status not in ("pending",) else "graded"
    return sub.with_(results=results, status=status)
