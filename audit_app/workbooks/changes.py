"""What an uploaded workbook would change, against the returns as they are now."""

from __future__ import annotations

from dataclasses import dataclass, field

from audit_app.questionnaires.answer_types import answer_type
from audit_app.questionnaires.definitions import AuditTemplateDefinition, Question
from audit_app.returns.models import ReturnStatus
from audit_app.workbooks.cells import normal
from audit_app.workbooks.contents import AgencyWorkbook
from audit_app.workbooks.layout import Pair
from audit_app.workbooks.reading import UploadedWorkbook

# --- What will change ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One answer the workbook would change. A conflict was also changed online since the
    download, differently: the reviewer chooses which to keep."""

    question: Question
    cell: str
    online: Pair
    workbook: Pair
    conflict: bool

    def choice_name(self, return_id: int) -> str:
        return f"choice_{return_id}_{self.question.id}"


@dataclass
class ReturnPlan:
    return_id: int
    child_code: str
    sheet: str
    version: int
    """The return's version now: saving names it, so a save made meanwhile is not lost."""
    downloaded_version: int
    status: ReturnStatus
    editable: bool
    changes: list[Change] = field(default_factory=list)
    kept_online: list[Question] = field(default_factory=list)
    """Changed online since the download and not in the workbook: the online answer stays."""

    @property
    def conflicts(self) -> list[Change]:
        return [change for change in self.changes if change.conflict]

    @property
    def applied(self) -> list[Change]:
        return [change for change in self.changes if not change.conflict]


@dataclass
class ChangePlan:
    returns: list[ReturnPlan]
    gone: list[str] = field(default_factory=list)
    """Children in the workbook who are no longer in the audit: their answers are not saved."""

    @property
    def to_save(self) -> list[ReturnPlan]:
        return [plan for plan in self.returns if plan.editable and plan.changes]

    @property
    def locked(self) -> list[ReturnPlan]:
        """Returns with changes in the workbook that cannot be changed (sent in)."""
        return [plan for plan in self.returns if not plan.editable and plan.changes]

    @property
    def conflicts(self) -> list[tuple[ReturnPlan, Change]]:
        return [(plan, change) for plan in self.to_save for change in plan.conflicts]

    @property
    def change_count(self) -> int:
        return sum(len(plan.changes) for plan in self.to_save)

    @property
    def is_empty(self) -> bool:
        return not self.to_save and not self.locked

    def versions(self) -> dict[str, int]:
        return {str(plan.return_id): plan.version for plan in self.returns}


def plan_changes(uploaded: UploadedWorkbook, current: AgencyWorkbook) -> ChangePlan:
    """Every answer the workbook would change, against the returns as they are now.

    Per question: changed only in the workbook since the download, the workbook's answer is
    used; changed only online, the online answer stays; changed in both, differently, it is
    a conflict for the reviewer to decide.
    """
    definition = current.definition
    order = {question.id: index for index, question in enumerate(definition.questions)}
    now = {state.return_id: state for state in current.returns}
    plan = ChangePlan(returns=[])
    for uploaded_return in uploaded.returns:
        state = now.get(uploaded_return.return_id)
        if state is None:
            plan.gone.append(uploaded_return.child_code)
            continue
        return_plan = ReturnPlan(
            return_id=state.return_id,
            child_code=state.child_code,
            sheet=uploaded_return.sheet,
            version=state.version,
            downloaded_version=uploaded_return.version,
            status=state.status,
            editable=state.editable,
        )
        edits = sorted(uploaded_return.edits.values(), key=lambda e: order.get(e.question_id, 0))
        for edit in edits:
            question = definition.question(edit.question_id)
            if question is None:
                continue
            online = state.answers.get(edit.question_id, (None, None))
            if normal(question, online) == normal(question, edit.after):
                continue  # already as the workbook says
            online_changed = normal(question, online) != normal(question, edit.before)
            return_plan.changes.append(
                Change(question, edit.cell, online, edit.after, conflict=online_changed)
            )
        for question in definition.questions:
            if question.id in uploaded_return.edits or uploaded_return.at_download is None:
                continue
            before = uploaded_return.at_download.get(question.id, (None, None))
            online = state.answers.get(question.id, (None, None))
            if normal(question, online) != normal(question, before):
                return_plan.kept_online.append(question)
        plan.returns.append(return_plan)
    return plan


def describe(question: Question, pair: Pair, definition: AuditTemplateDefinition) -> str:
    """An answer in words, with the reason for a grade."""
    value, reason = pair
    text = answer_type(question).summary(value, question, definition.scales)
    if reason:
        text += f"\nWhy: {reason}"
    return text
