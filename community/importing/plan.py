"""The numbering of imported posts, worked out from the dump before anything is written.

Stack Exchange shows comments under the post they comment on; Parvis numbers a thread's
posts. So each thread's numbers run question, its comments, first answer, its comments, …
(answers in the dump's order). The plan is read from the files alone, so a resumed import
numbers every post exactly as the interrupted one did.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from community.importing.dump import FILES, number, rows

QUESTION = 1
ANSWER = 2
BODY_REVISIONS = {2, 5, 8}  # PostHistory: initial body, edit body, rollback body


@dataclass
class Plan:
    question_of: dict[int, int] = field(default_factory=dict)  # answer id → question id
    accepted: dict[int, int] = field(default_factory=dict)  # question id → accepted answer id
    numbers: dict[int, int] = field(default_factory=dict)  # question or answer id → number
    comment_numbers: dict[int, int] = field(default_factory=dict)  # comment id → number
    comment_post: dict[int, int] = field(default_factory=dict)  # comment id → post id
    latest_revision: dict[int, int] = field(default_factory=dict)  # post id → history row id
    totals: dict[str, int] = field(default_factory=dict)  # rows per file


def make_plan(directory: Path) -> Plan:
    """The plan, having read every file once: a file that does not parse stops the import
    here, before anything is written (`BrokenDump`)."""
    plan = Plan()
    for name in FILES:
        if name not in ("Posts", "Comments", "PostHistory"):
            plan.totals[name] = sum(1 for _row in rows(directory / f"{name}.xml"))
    _latest_revisions(plan, directory)
    questions: list[int] = []
    answers: dict[int, list[int]] = defaultdict(list)
    plan.totals["Posts"] = plan.totals["Comments"] = 0
    for row in rows(directory / "Posts.xml"):
        plan.totals["Posts"] += 1
        post_id, kind = number(row, "Id"), number(row, "PostTypeId")
        if post_id is None:
            continue
        if kind == QUESTION:
            questions.append(post_id)
            if (accepted := number(row, "AcceptedAnswerId")) is not None:
                plan.accepted[post_id] = accepted
        elif kind == ANSWER and (parent := number(row, "ParentId")) is not None:
            plan.question_of[post_id] = parent
            answers[parent].append(post_id)
    comments: dict[int, list[int]] = defaultdict(list)
    for row in rows(directory / "Comments.xml"):
        plan.totals["Comments"] += 1
        comment_id, post_id = number(row, "Id"), number(row, "PostId")
        if comment_id is not None and post_id is not None:
            comments[post_id].append(comment_id)
    for question_id in questions:  # an answer to a question not in the dump gets no number
        _number_thread(plan, [question_id, *answers[question_id]], comments)
    return plan


def _number_thread(plan: Plan, post_ids: list[int], comments: dict[int, list[int]]) -> None:
    next_number = 1
    for post_id in post_ids:
        plan.numbers[post_id] = next_number
        next_number += 1
        for comment_id in comments.get(post_id, []):
            plan.comment_numbers[comment_id] = next_number
            plan.comment_post[comment_id] = post_id
            next_number += 1


def _latest_revisions(plan: Plan, directory: Path) -> None:
    """Each post's last body revision: the one whose text is the post's Markdown source."""
    plan.totals["PostHistory"] = 0
    for row in rows(directory / "PostHistory.xml"):
        plan.totals["PostHistory"] += 1
        post_id, revision = number(row, "PostId"), number(row, "Id")
        if post_id is None or revision is None:
            continue
        if number(row, "PostHistoryTypeId") in BODY_REVISIONS:
            plan.latest_revision[post_id] = max(revision, plan.latest_revision.get(post_id, 0))
