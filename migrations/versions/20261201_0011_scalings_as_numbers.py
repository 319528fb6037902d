"""A 0 to 10 scaling is its own answer type, stored as a whole number

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 04:10:00.000000

A Signs of Safety scaling was a grade on a scale whose levels are the text "0" to "10", so
the panel read its answers as text and turned them into numbers. It is now ``type:
scaling``, whose answers are kept as the number (7, not "7"; "not known" stays the gap it
was). Every stored template version with a grade on such a scale (the shipped
children-in-crisis and Signs of Safety templates ask one each) is rewritten: the question's
type in the content and in the source text, and the content hash, which is taken over the
content. The hash it had is kept in ``replaced_content_hash``, so that an offline workbook
downloaded before the upgrade still uploads. The answers to those questions become numbers.

Downgrading turns them back into grades with text answers and restores the hash.
"""

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEVELS = sorted(str(point) for point in range(11))
BUILT_IN_SCALINGS = {"sos_0_10"}  # the built-in scale whose levels are 0 to 10
GRADE_ONLY_KEYS = ("evidence_strength",)  # a scaling does not take these: such grades stay

versions = sa.table(
    "audit_template_version",
    sa.column("id", sa.Integer),
    sa.column("content_hash", sa.String),
    sa.column("replaced_content_hash", sa.String),
    sa.column("content", sa.JSON),
    sa.column("source_text", sa.Text),
)
audits = sa.table("audit", sa.column("id", sa.Integer), sa.column("template_version_id"))
returns = sa.table("agency_return", sa.column("id", sa.Integer), sa.column("audit_id"))
answers = sa.table(
    "answer",
    sa.column("id", sa.Integer),
    sa.column("return_id", sa.Integer),
    sa.column("question_id", sa.String),
    sa.column("value", sa.JSON),
)


def _hash(content: Any) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _scaling_scales(content: dict[str, Any]) -> set[str]:
    found = set(BUILT_IN_SCALINGS)
    for scale in content.get("scales") or []:
        if isinstance(scale, dict):
            levels = [str(level.get("value")) for level in scale.get("levels") or []]
            if sorted(levels) == LEVELS:
                found.add(str(scale.get("id")))
    return found


def _questions(content: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for section in content.get("sections") or []:
        for question in (section or {}).get("questions") or []:
            if isinstance(question, dict):
                yield question


def _block(lines: list[str], index: int, indent: int) -> Iterator[int]:
    """The line numbers of the YAML mapping (a list item) whose key ``id`` is on line
    ``index`` at ``indent``: its keys are at that indent, the item starts at "- "."""
    start = index
    while start > 0 and not lines[start].lstrip(" ").startswith("- "):
        previous = lines[start - 1]
        if len(previous) - len(previous.lstrip(" ")) < indent - 2:
            break
        start -= 1
    yield start
    for other in range(start + 1, len(lines)):
        text = lines[other]
        stripped = text.lstrip(" ")
        own = len(text) - len(stripped)
        if stripped.strip() and not stripped.startswith("#") and own < indent:
            return
        yield other


def _retype_in_source(source: str, question_id: str, old: str, new: str) -> str:
    """The source text with the question's ``type: old`` made ``type: new``, in the
    question's own block (the source is left as it is where that is not found)."""
    lines = source.split("\n")
    id_line = re.compile(rf"^( *)(- )?id: *[\"']?{re.escape(question_id)}[\"']? *$")
    for index, line in enumerate(lines):
        match = id_line.match(line)
        if match is None:
            continue
        indent = len(match.group(1)) + (2 if match.group(2) else 0)
        for number in _block(lines, index, indent):
            found = re.fullmatch(rf"( *(?:- )?)type: *{old}( *)", lines[number])
            if found is not None:
                lines[number] = f"{found.group(1)}type: {new}{found.group(2)}"
                return "\n".join(lines)
    return source


def _convert(old_type: str, new_type: str, value_of: Any) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(versions.c.id, versions.c.content, versions.c.source_text, versions.c.content_hash,
                  versions.c.replaced_content_hash)
    ).all()  # fmt: skip
    for version_id, content, source, content_hash, replaced in rows:
        if isinstance(content, str):
            content = json.loads(content)
        scalings = _scaling_scales(content)
        changed = [
            question
            for question in _questions(content)
            if question.get("type") == old_type
            and str(question.get("scale")) in scalings
            and not any(key in question for key in GRADE_ONLY_KEYS)
        ]
        if not changed:
            continue
        for question in changed:
            question["type"] = new_type
            source = _retype_in_source(source or "", str(question["id"]), old_type, new_type)
        if new_type == "scaling":
            new_hash, kept = _hash(content), content_hash
        else:
            new_hash, kept = replaced or _hash(content), None
        bind.execute(
            versions.update()
            .where(versions.c.id == version_id)
            .values(content=content, source_text=source, content_hash=new_hash,
                    replaced_content_hash=kept)
        )  # fmt: skip
        ids = [str(question["id"]) for question in changed]
        found = bind.execute(
            sa.select(answers.c.id, answers.c.value)
            .join(returns, returns.c.id == answers.c.return_id)
            .join(audits, audits.c.id == returns.c.audit_id)
            .where(audits.c.template_version_id == version_id, answers.c.question_id.in_(ids))
        ).all()
        for answer_id, value in found:
            converted = value_of(value)
            if converted != value:
                bind.execute(
                    answers.update().where(answers.c.id == answer_id).values(value=converted)
                )


def _to_number(value: Any) -> Any:
    if isinstance(value, str) and value.strip() in LEVELS:
        return int(value.strip())
    return value


def _to_text(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def upgrade() -> None:
    with op.batch_alter_table("audit_template_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaced_content_hash", sa.String(64), nullable=True))
    _convert("grade", "scaling", _to_number)


def downgrade() -> None:
    _convert("scaling", "grade", _to_text)
    with op.batch_alter_table("audit_template_version", schema=None) as batch_op:
        batch_op.drop_column("replaced_content_hash")
