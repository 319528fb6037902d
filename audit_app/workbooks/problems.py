"""What is wrong with an uploaded workbook: each problem names its sheet and cell."""

from __future__ import annotations

from dataclasses import dataclass

from audit_app.questionnaires.answer_types import CellError
from audit_app.workbooks.layout import MAX_PROBLEMS

# --- Problems ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbookProblem:
    """One thing wrong with an uploaded workbook, and the sheet and cell where it is."""

    message: str
    sheet: str | None = None
    cell: str | None = None

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"Sheet '{self.sheet}', cell {self.cell}"
        if self.sheet:
            return f"Sheet '{self.sheet}'"
        return ""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class WorkbookError(Exception):
    """The workbook cannot be used; ``problems`` lists every problem found (up to 100)."""

    def __init__(self, problems: list[WorkbookProblem]) -> None:
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS
            problems = [
                *problems[:MAX_PROBLEMS],
                WorkbookProblem(f"There are {more:,} more problems like these, not listed here."),
            ]
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def _refuse(message: str, sheet: str | None = None, cell: str | None = None) -> WorkbookError:
    return WorkbookError([WorkbookProblem(message, sheet, cell)])


_CellProblem = CellError  # a cell that cannot be read as an answer (the registry says why)
