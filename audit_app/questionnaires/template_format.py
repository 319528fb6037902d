"""The agreed audit template format: parse a YAML file, validate it, hash it, compare versions.

The format is a public interface, documented in ``docs/audit-templates.md`` and described by
:func:`json_schema` (``audit-app template schema``). Validation happens in two passes: the
JSON Schema checks the shape (unknown keys, missing keys, wrong kinds of value), then
:func:`_check_meaning` checks what a schema cannot (duplicate ids, every answer mapped to a
Signs of Safety column, conditions naming an earlier question, scales declared). Every error
names where it is, as a path like ``sections[2].questions[4].maps``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from audit_app.agencies.models import AgencySector
from audit_app.questionnaires.answer_types import ANSWER_TYPES, Grade
from audit_app.questionnaires.definitions import (
    BUILT_IN_SCALES,
    COLUMN_LABELS,
    COLUMNS,
    GAP_LABELS,
    LENSES,
    NOT_KNOWN,
    SUB_HEADINGS,
    AuditTemplateDefinition,
    Choice,
    Condition,
    Question,
    Scale,
    ScaleLevel,
    Section,
)

__all__ = [  # the definitions are re-exported: the format's readers find them here too
    "BUILT_IN_SCALES",
    "COLUMNS",
    "COLUMN_LABELS",
    "AuditTemplateDefinition",
    "Choice",
    "Condition",
    "Question",
    "Scale",
    "ScaleLevel",
    "Section",
    "TemplateDiff",
    "TemplateError",
    "TemplateInvalid",
    "build",
    "compare",
    "content_hash",
    "json_schema",
    "parse",
    "read_yaml",
    "validate",
]

MAX_TEMPLATE_BYTES = 1024 * 1024
ID_PATTERN = r"^[a-z][a-z0-9_]*$"
TEMPLATE_ID_PATTERN = r"^[a-z][a-z0-9-]*$"
LEVEL_PATTERN = r"^[a-z0-9][a-z0-9_]*$"
"""A scale level's value may also start with a digit: a 0 to 10 scale's levels are "0" to
"10", as the built-in one's are."""


@dataclass(frozen=True)
class TemplateError:
    path: str
    message: str
    file: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        return f"{where}{self.path or '(the file)'}: {self.message}"


class TemplateInvalid(Exception):
    """The file is not a valid audit template; ``errors`` says every way it is not."""

    def __init__(self, errors: list[TemplateError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


# --- The JSON Schema ---------------------------------------------------------------------


SECTORS = tuple(sector.value for sector in AgencySector)
"""The agency sectors a section or question may be asked of (``asked_of``)."""


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the format, for editors (``audit-app template schema``)."""
    column = {
        "enum": [*COLUMNS, *SUB_HEADINGS],
        "description": (
            "A Signs of Safety column, or for a question about the child's situation a "
            "sub-heading inside one (harm, danger, complicating_factors: worried about; "
            "strengths, safety: working well; goals, next_steps: needs to happen)."
        ),
    }
    asked_of = {
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {"enum": list(SECTORS)},
        "description": "The agency sectors this is asked of (leave out: every sector).",
    }
    question_properties: dict[str, Any] = {
        "asked_of": asked_of,
        "id": {
            "type": "string",
            "pattern": ID_PATTERN,
            "maxLength": 64,
            "description": "Unique in the template: lower case letters, digits and _.",
        },
        "type": {"enum": list(ANSWER_TYPES), "description": "The answer type."},
        "text": {"type": "string", "minLength": 1, "maxLength": 500},
        "hint": {"type": "string", "maxLength": 1000},
        "required": {"type": "boolean", "default": True},
        "column": column,
        "maps": {
            "type": "object",
            "description": "Each possible answer's Signs of Safety column.",
            "additionalProperties": column,
        },
        "options": {
            "type": "array",
            "minItems": 2,
            "items": {
                "type": "object",
                "properties": {
                    "value": {"type": "string", "pattern": ID_PATTERN, "maxLength": 64},
                    "label": {"type": "string", "minLength": 1, "maxLength": 200},
                },
                "required": ["value", "label"],
                "additionalProperties": False,
            },
        },
        "scale": {"type": "string", "description": "The id of a scale declared in scales."},
        "rationale": {"enum": ["required", "optional", "none"], "default": "none"},
        "themes": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 100}},
        "show_if": {
            "type": "object",
            "properties": {
                "question": {"type": "string", "pattern": ID_PATTERN},
                "equals": {"type": ["string", "integer"]},
                "any_of": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": ["string", "integer"]},
                },
            },
            "required": ["question"],
            "oneOf": [{"required": ["equals"]}, {"required": ["any_of"]}],
            "additionalProperties": False,
        },
        "min": {"type": "integer"},
        "max": {"type": "integer"},
        "unit": {"type": "string", "maxLength": 40},
        "lens": {
            "enum": list(LENSES),
            "default": "practice",
            "description": (
                "What the answer judges: the quality of practice, the child's situation "
                "(placed under a sub-heading), or nothing: a fact, which carries no column."
            ),
        },
        "not_known": {
            "type": "boolean",
            "description": 'Offer "Not known": a gap in knowledge, in no column.',
        },
        "does_not_apply": {
            "type": "boolean",
            "description": 'Offer "Does not apply to my agency", counted apart from the columns.',
        },
        "descriptors": {
            "type": "object",
            "description": "What each grade looks like for this question, by grade.",
            "additionalProperties": {"type": "string", "minLength": 1, "maxLength": 1000},
        },
        "evidence_strength": {
            "type": "boolean",
            "description": "Ask how strong the evidence is for the grade, right after it.",
        },
        "urgent_if": {
            "type": "array",
            "minItems": 1,
            "items": {"type": ["string", "integer"]},
            "description": (
                "Answers that mean the child may need protecting now: a reviewer who gives "
                "one is taken to raise an urgent concern."
            ),
        },
    }
    custom_scale = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": ID_PATTERN, "maxLength": 64},
            "title": {"type": "string", "minLength": 1},
            "levels": {
                "type": "array",
                "minItems": 2,
                "items": {
                    "type": "object",
                    "properties": {
                        "value": {"type": "string", "pattern": LEVEL_PATTERN, "maxLength": 64},
                        "label": {"type": "string", "minLength": 1},
                        "column": column,
                        "descriptor": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 1000,
                            "description": "What this grade looks like, shown to reviewers.",
                        },
                    },
                    "required": ["value", "label", "column", "descriptor"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["id", "title", "levels"],
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Multi-agency case file audit template",
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": TEMPLATE_ID_PATTERN, "maxLength": 100},
            "title": {"type": "string", "minLength": 1, "maxLength": 300},
            "version": {"type": "string", "minLength": 1, "maxLength": 50},
            "purpose": {"type": "string", "minLength": 1},
            "scales": {
                "type": "array",
                "items": {"oneOf": [{"enum": list(BUILT_IN_SCALES)}, custom_scale]},
            },
            "sections": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "title": {"type": "string", "minLength": 1, "maxLength": 300},
                        "guidance": {"type": "string"},
                        "asked_of": asked_of,
                        "questions": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "properties": question_properties,
                                "required": ["id", "type", "text"],
                                "additionalProperties": False,
                            },
                        },
                    },
                    "required": ["title", "questions"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["id", "title", "version", "purpose", "sections"],
        "additionalProperties": False,
    }


_SCHEMA = json_schema()
_VALIDATOR = Draft202012Validator(_SCHEMA)
KNOWN_QUESTION_KEYS = frozenset(
    _SCHEMA["properties"]["sections"]["items"]["properties"]["questions"]["items"]["properties"]
)
# Question ids become form field names: these are taken by the forms themselves.
RESERVED_IDS = frozenset(
    {
        "meta",
        "process",
        "validate",
        "populate_obj",
        "data",
        "errors",
        "form_errors",
        "questions",
        "csrf_token",
        "version",
        "action",
        "submit",
        "hidden_tag",
        "is_submitted",
        "validate_on_submit",
        "extra_validators",
    }
)


# --- Reading YAML safely -----------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML with no aliases (no "billion laughs") and no duplicate keys.

    Scalars follow YAML 1.2: only true and false are booleans (so an answer written
    yes or no stays the text "yes" or "no"), and dates stay text.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                problem="aliases (*name) are not allowed in audit templates: write it out in full",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.MarkedYAMLError(
                    problem=f"the key {key!r} appears twice", problem_mark=key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_StrictLoader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _keys_as_text(node: Any) -> Any:
    """Mapping keys are always text (``1:`` and ``"1":`` mean the same)."""
    if isinstance(node, dict):
        return {str(key): _keys_as_text(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_keys_as_text(item) for item in node]
    return node


def _yaml_error(error: yaml.YAMLError) -> TemplateError:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return TemplateError(where, f"this is not valid YAML: {problem}")


def read_yaml(raw: bytes | str) -> Any:
    """Parse a template file's text, refusing what is too big or unsafe."""
    data = raw.encode() if isinstance(raw, str) else raw
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateInvalid(
            [TemplateError("", f"the file is {len(data):,} bytes; the limit is 1 MB")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TemplateInvalid(
            [TemplateError("", f"the file is not UTF-8 text (byte {error.start})")]
        ) from error
    try:
        return _keys_as_text(yaml.load(text, Loader=_StrictLoader))  # noqa: S506 (safe subclass)
    except yaml.YAMLError as error:
        raise TemplateInvalid([_yaml_error(error)]) from error
    except RecursionError as error:
        raise TemplateInvalid([TemplateError("", "the YAML is nested too deeply")]) from error


# --- Validation --------------------------------------------------------------------------


def _path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _schema_message(error: ValidationError) -> str:
    validator = error.validator
    if validator == "additionalProperties":
        extra = sorted(
            set(error.instance) - set(error.schema.get("properties", {}))  # type: ignore[arg-type]
        )
        message = "unknown key " + ", ".join(repr(key) for key in extra)
        if any(" " in str(key) for key in extra):
            message += " (put text that holds a comma or a colon in quotes)"
        return message
    if validator == "required":
        return str(error.message).replace("is a required property", "is missing")
    if validator == "enum":
        allowed = ", ".join(str(value) for value in error.validator_value)  # type: ignore[union-attr]
        return f"{error.instance!r} is not allowed here; use one of: {allowed}"
    if validator == "type":
        wanted = {
            "string": "text",
            "object": "a set of keys",
            "array": "a list",
            "boolean": "true or false",
            "integer": "a whole number",
        }
        kind = wanted.get(str(error.validator_value), str(error.validator_value))
        if error.instance is None:
            return f"must not be empty: give {kind}"
        hint = ""
        if error.path and error.path[-1] == "version":
            hint = ' (put it in quotes, for example "1.0")'
        return f"must be {kind}, not {error.instance!r}{hint}"
    if validator == "minItems":
        return (
            "must not be empty"
            if error.validator_value == 1
            else (f"needs at least {error.validator_value} items")
        )
    if validator == "pattern":
        if error.validator_value == LEVEL_PATTERN:
            return (
                f"{error.instance!r} is not a valid level: use lower case letters, digits "
                "and _, starting with a letter or a digit"
            )
        return (
            f"{error.instance!r} is not a valid id: use lower case letters, digits and "
            f"{'-' if error.validator_value == TEMPLATE_ID_PATTERN else '_'}, "
            "starting with a letter"
        )
    if validator == "minLength":
        return "must not be empty"
    if validator == "maxLength":
        return f"is longer than {error.validator_value} characters"
    if validator == "oneOf" and error.path and error.path[-1] == "show_if":
        return "give either equals or any_of"
    if validator == "oneOf":
        built_in = ", ".join(BUILT_IN_SCALES)
        return (
            f"{error.instance!r} is neither a built-in scale ({built_in}) "
            "nor a scale with id, title and levels"
        )
    return str(error.message)


def _meant(error: ValidationError) -> list[ValidationError]:
    """For a custom scale (a mapping where a scale is expected), its own errors."""
    if error.validator == "oneOf" and isinstance(error.instance, dict) and error.context:
        branch = max(sub.relative_schema_path[0] for sub in error.context)
        meant = [sub for sub in error.context if sub.relative_schema_path[0] == branch]
        if meant and all(sub.validator != "oneOf" for sub in meant):
            return meant
    return [error]


def _schema_errors(data: Any) -> list[TemplateError]:
    errors = [meant for error in _VALIDATOR.iter_errors(data) for meant in _meant(error)]
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    found: list[TemplateError] = []
    for error in errors:
        problem = TemplateError(_path(error.absolute_path), _schema_message(error))
        if problem not in found:
            found.append(problem)
    return found


def _scales(data: dict[str, Any]) -> dict[str, Scale]:
    scales: dict[str, Scale] = {}
    entries = data.get("scales")
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str) and entry in BUILT_IN_SCALES:
            scales[entry] = BUILT_IN_SCALES[entry]
        elif isinstance(entry, dict) and isinstance(entry.get("id"), str):
            levels = tuple(
                ScaleLevel(
                    str(level.get("value")),
                    str(level.get("label")),
                    str(level.get("column")),
                    _text(level.get("descriptor")),
                )
                for _, level in _dicts(entry.get("levels"))
            )
            scales[entry["id"]] = Scale(entry["id"], str(entry.get("title", "")), levels)
    return scales


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _question(raw: dict[str, Any]) -> Question:
    """A question from its raw keys, tolerating bad shapes (they are reported elsewhere)."""
    show_if = raw.get("show_if")
    condition = None
    if isinstance(show_if, dict):
        values = show_if.get("any_of")
        if not isinstance(values, list):
            values = [show_if["equals"]] if "equals" in show_if else []
        condition = Condition(str(show_if.get("question")), tuple(str(v) for v in values))
    maps = raw.get("maps")
    options = raw.get("options")
    themes = raw.get("themes")
    descriptors = raw.get("descriptors")
    urgent_if = raw.get("urgent_if")
    kind = ANSWER_TYPES.get(str(raw.get("type")))
    lens = raw.get("lens")
    if lens not in LENSES:
        lens = "fact" if kind is not None and kind.records_fact else "practice"
    return Question(
        id=str(raw.get("id")),
        type=str(raw.get("type")),
        text=str(raw.get("text", "")),
        hint=_text(raw.get("hint")),
        required=raw.get("required", True) is not False,
        column=_text(raw.get("column")),
        maps={str(k): str(v) for k, v in maps.items()} if isinstance(maps, dict) else {},
        options=tuple(
            Choice(str(o.get("value")), str(o.get("label")))
            for o in (options if isinstance(options, list) else [])
            if isinstance(o, dict)
        ),
        scale=_text(raw.get("scale")),
        rationale=str(raw.get("rationale", "none")),
        themes=tuple(str(t) for t in themes) if isinstance(themes, list) else (),
        show_if=condition,
        min=raw.get("min") if isinstance(raw.get("min"), int) else None,
        max=raw.get("max") if isinstance(raw.get("max"), int) else None,
        unit=_text(raw.get("unit")),
        asked_of=_sectors(raw.get("asked_of")),
        lens=str(lens),
        not_known=raw.get("not_known") is True,
        does_not_apply=raw.get("does_not_apply") is True,
        descriptors={str(k): str(v) for k, v in descriptors.items()}
        if isinstance(descriptors, dict)
        else {},
        urgent_if=tuple(str(v) for v in urgent_if) if isinstance(urgent_if, list) else (),
    )


EVIDENCE_STRENGTH = (
    Choice("strong", "Strong: more than one record, or a record made at the time, shows it"),
    Choice("some", "Some: one record shows it, or the records only partly agree"),
    Choice("weak", "Weak: little is recorded, or the records disagree"),
)


def _evidence_question(raw: dict[str, Any]) -> dict[str, Any]:
    """The evidence-strength question ``evidence_strength: true`` adds after a grade."""
    added: dict[str, Any] = {
        "id": f"{raw.get('id')}_evidence",
        "type": "single_choice",
        "text": "How strong is the evidence in your records for this grade?",
        "hint": f'About your grade for "{raw.get("text")}"',
        "required": False,
        "lens": "fact",
        "options": [{"value": c.value, "label": c.label} for c in EVIDENCE_STRENGTH],
    }
    for key in ("asked_of", "show_if"):  # asked whenever, and of whomever, the grade is
        if key in raw:
            added[key] = raw[key]
    return added


def _as_asked(raw_questions: Any, path: str) -> list[tuple[str, dict[str, Any], str | None]]:
    """A section's questions as asked, each with where it is written and, for the question
    ``evidence_strength: true`` adds after a grade, that grade's id."""
    asked: list[tuple[str, dict[str, Any], str | None]] = []
    for index, raw in _dicts(raw_questions):
        asked.append((f"{path}[{index}]", raw, None))
        if raw.get("evidence_strength") is True and raw.get("type") == "grade":
            added = _evidence_question(raw)
            asked.append((f"{path}[{index}].evidence_strength", added, str(raw.get("id"))))
    return asked


def _sectors(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The (index, item) pairs of a list that are mappings; nothing for anything else."""
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _check_scales(data: dict[str, Any]) -> list[TemplateError]:
    errors: list[TemplateError] = []
    scale_ids: list[str] = []
    entries = data.get("scales") if isinstance(data.get("scales"), list) else []
    for index, entry in enumerate(entries):
        scale_id = entry if isinstance(entry, str) else None
        if isinstance(entry, dict):
            scale_id = entry.get("id")
        if not isinstance(scale_id, str):
            continue
        if scale_id in scale_ids:
            errors.append(
                TemplateError(f"scales[{index}]", f"the scale {scale_id!r} is declared twice")
            )
        scale_ids.append(scale_id)
        if isinstance(entry, dict):
            if scale_id in BUILT_IN_SCALES:
                errors.append(
                    TemplateError(
                        f"scales[{index}].id",
                        f"{scale_id!r} is a built-in scale; give yours another id",
                    )
                )
            values = [level.get("value") for _, level in _dicts(entry.get("levels"))]
            for l_index, value in enumerate(values):
                if isinstance(value, str) and value in GAP_LABELS:
                    errors.append(
                        TemplateError(
                            f"scales[{index}].levels[{l_index}].value",
                            f"{value!r} is reserved: give not_known: true or does_not_apply: "
                            f'true on the question to offer "{GAP_LABELS[value]}"',
                        )
                    )
            for duplicate in sorted({str(v) for v in values if values.count(v) > 1}):
                errors.append(
                    TemplateError(
                        f"scales[{index}].levels", f"the level {duplicate!r} appears twice"
                    )
                )
    return errors


def _check_meaning(data: Any) -> list[TemplateError]:
    """What the schema cannot check, on every part whose shape allows it."""
    if not isinstance(data, dict):
        return []
    errors = _check_scales(data)
    scales = _scales(data)
    seen: dict[str, str] = {}  # question id -> its path
    earlier: dict[str, Question] = {}
    every_id = {
        raw["id"]
        for s_index, section in _dicts(data.get("sections"))
        for _, raw, _ in _as_asked(section.get("questions"), "")
        if isinstance(raw.get("id"), str)
    }
    asked: dict[str, frozenset[str]] = {}  # question id -> the sectors it is asked of
    for s_index, section in _dicts(data.get("sections")):
        section_sectors = _sectors(section.get("asked_of"))
        for path, raw, _ in _as_asked(section.get("questions"), f"sections[{s_index}].questions"):
            if not isinstance(raw.get("id"), str):
                continue
            question = _question(raw)
            sectors, problem = _asked_of(section_sectors, question.asked_of)
            if problem:
                errors.append(TemplateError(f"{path}.asked_of", problem))
            asked.setdefault(question.id, sectors)
            target = question.show_if.question if question.show_if else None
            if target in asked and not sectors <= asked[target]:
                left_out = ", ".join(sorted(sectors - asked[target]))
                errors.append(
                    TemplateError(
                        f"{path}.show_if",
                        f"{target!r} is not asked of {left_out}, so this question never "
                        "would be: ask it of fewer sectors, or ask the question it follows "
                        "of more",
                    )
                )
            if question.id in RESERVED_IDS:
                errors.append(
                    TemplateError(
                        f"{path}.id",
                        f"{question.id!r} is reserved by the service; choose another id",
                    )
                )
            if "__" in question.id:
                errors.append(
                    TemplateError(
                        f"{path}.id", f"{question.id!r}: ids cannot contain two _ in a row"
                    )
                )
            if question.id in seen:
                errors.append(
                    TemplateError(
                        f"{path}.id",
                        f"the id {question.id!r} is already used at {seen[question.id]}",
                    )
                )
            else:
                seen[question.id] = path
            if question.type in ANSWER_TYPES:
                errors.extend(_check_question(path, raw, question, scales))
                errors.extend(_check_gaps(path, raw, question))
                errors.extend(_check_urgent(path, question, scales))
                errors.extend(_check_columns(path, raw, question, scales))
            errors.extend(_check_condition(path, question, earlier, every_id, scales))
            earlier.setdefault(question.id, question)
    return errors


def _asked_of(
    section_sectors: tuple[str, ...], question_sectors: tuple[str, ...]
) -> tuple[frozenset[str], str | None]:
    """The sectors a question is asked of, and a problem if it names one its section is not
    asked of."""
    in_section = frozenset(section_sectors or SECTORS)
    own = frozenset(question_sectors or in_section)
    outside = sorted(own - in_section)
    if question_sectors and outside:
        return own & in_section, (
            f"its section is not asked of {', '.join(outside)}: a question is asked only of "
            "sectors its section is asked of"
        )
    return own & in_section, None


def _check_question(
    path: str, raw: dict[str, Any], question: Question, scales: dict[str, Scale]
) -> list[TemplateError]:
    handler = ANSWER_TYPES[question.type]
    errors = [
        TemplateError(f"{path}.{key}", f"a {question.type} question does not take {key!r}")
        for key in sorted(set(raw) - handler.allowed_keys)
        if key in KNOWN_QUESTION_KEYS  # unknown keys are reported by the schema
    ]
    errors += [
        TemplateError(path, f"a {question.type} question needs {key!r}")
        for key in sorted(handler.required_keys - set(raw))
    ]
    errors += [
        TemplateError(f"{path}.{key}" if key else path, message)
        for key, message in handler.check_question(question, scales)
    ]
    return errors


def _check_columns(
    path: str, raw: dict[str, Any], question: Question, scales: dict[str, Scale]
) -> list[TemplateError]:
    handler = ANSWER_TYPES[question.type]
    choices = handler.choices(question, scales)
    if question.is_fact and isinstance(handler, Grade):
        return [
            TemplateError(
                f"{path}.lens",
                "a grade is a judgement: it cannot be a fact; use a single_choice question to "
                "record a fact from a list",
            )
        ]
    if handler.records_fact or question.is_fact:
        given = [key for key in ("column", "maps") if key in raw]
        if handler.records_fact and raw.get("lens") in ("practice", "situation"):
            return [
                TemplateError(
                    f"{path}.lens",
                    f"a {question.type} answer records a fact and judges nothing: leave out "
                    "lens (or write lens: fact), and ask the judgement as a question of its own",
                )
            ]
        if given:
            what = f"a {question.type} answer" if handler.records_fact else "lens: fact"
            return [
                TemplateError(
                    f"{path}.{given[0]}",
                    f"{what} records a fact, which carries no Signs of Safety column: remove "
                    f"{given[0]}"
                    + ("" if handler.records_fact else ", or set lens: practice or situation"),
                )
            ]
        return []
    if "column" in raw and "maps" in raw:
        return [TemplateError(path, "give column or maps, not both")]
    errors = _check_placements(path, raw, question, scales)
    if errors:
        return errors
    if "maps" in raw:
        if choices is None:
            if handler.set_answers:
                return []  # the list is missing (a grade's scale): reported already
            return [
                TemplateError(
                    f"{path}.maps",
                    f"a {question.type} answer cannot be mapped answer by answer; "
                    "give column instead",
                )
            ]
        errors = []
        possible = [choice.value for choice in choices]
        for key in question.maps:
            if key in GAP_LABELS:
                errors.append(
                    TemplateError(
                        f"{path}.maps.{key}",
                        f'"{GAP_LABELS[key]}" lands in no column: '
                        + (
                            "it is a gap in knowledge, never a worry"
                            if key == NOT_KNOWN
                            else "it is counted apart from the columns"
                        )
                        + f"; remove {key} from maps",
                    )
                )
            elif key not in possible:
                errors.append(
                    TemplateError(
                        f"{path}.maps.{key}",
                        f"{key!r} is not a possible answer (possible: {', '.join(possible)})",
                    )
                )
        missing = [
            value
            for value in possible
            if value not in question.maps
            and value not in GAP_LABELS
            and handler.default_column(value, question, scales) is None
        ]
        if missing:
            errors.append(
                TemplateError(f"{path}.maps", f"no column for the answer(s): {', '.join(missing)}")
            )
        return errors
    if "column" in raw or not handler.needs_column(question):
        return []  # a grade's levels say their columns (a missing scale is reported apart)
    return [
        TemplateError(
            path,
            "say which Signs of Safety column the answer lands in: give column, "
            "or maps with a column for each possible answer",
        )
    ]


SUB_HEADING_NAMES = ", ".join(SUB_HEADINGS)


def _check_placements(
    path: str, raw: dict[str, Any], question: Question, scales: dict[str, Scale]
) -> list[TemplateError]:
    """Practice lands in a column; the child's situation under a sub-heading."""
    written: list[tuple[str, str]] = []
    if isinstance(raw.get("column"), str):
        written.append((f"{path}.column", raw["column"]))
    if isinstance(raw.get("maps"), dict):
        written += [(f"{path}.maps.{key}", str(value)) for key, value in raw["maps"].items()]
    if question.lens == "situation":
        errors = [
            TemplateError(
                where,
                f"{value!r} is a column: an answer about the child's situation lands under a "
                f"Signs of Safety sub-heading ({SUB_HEADING_NAMES})",
            )
            for where, value in written
            if value in COLUMNS
        ]
    else:
        errors = [
            TemplateError(
                where,
                f"{value!r} is a sub-heading, for questions about the child's situation: set "
                "lens: situation, or give a column",
            )
            for where, value in written
            if value in SUB_HEADINGS
        ]
    on_a_scale = isinstance(ANSWER_TYPES[question.type], Grade)
    scale = scales.get(question.scale or "") if on_a_scale else None
    if scale is not None and "column" not in raw and not errors:
        # The levels not mapped land where their scale says: that must fit the lens too.
        unmapped = [level for level in scale.levels if level.value not in question.maps]
        if question.lens == "situation":
            wrong = [level.value for level in unmapped if level.column in COLUMNS]
            where_they_land = "in a column, not under a sub-heading"
        else:
            wrong = [level.value for level in unmapped if level.column in SUB_HEADINGS]
            where_they_land = "under a sub-heading of the child's situation, not in a column"
        if wrong:
            errors.append(
                TemplateError(
                    f"{path}.scale",
                    f"the scale {scale.id!r} places {', '.join(wrong)} {where_they_land}: "
                    + (
                        "give maps with a sub-heading for each, or use a scale whose levels "
                        "give sub-headings"
                        if question.lens == "situation"
                        else "set lens: situation, or map each to a column"
                    ),
                )
            )
    return errors


def _check_urgent(path: str, question: Question, scales: dict[str, Scale]) -> list[TemplateError]:
    """``urgent_if`` names answers the question can be given."""
    if not question.urgent_if:
        return []
    handler = ANSWER_TYPES[question.type]
    choices = handler.choices(question, scales)
    if choices is None:
        if handler.set_answers:
            return []  # the list is missing (a grade's scale): reported already
        return [
            TemplateError(
                f"{path}.urgent_if",
                f"a {question.type} question has no set answers to name: urgent_if needs a "
                "question with set answers",
            )
        ]
    possible = [choice.value for choice in choices]
    return [
        TemplateError(
            f"{path}.urgent_if",
            f"{value!r} is not a possible answer (possible: {', '.join(possible)})",
        )
        for value in question.urgent_if
        if value not in possible
    ]


def _check_gaps(path: str, raw: dict[str, Any], question: Question) -> list[TemplateError]:
    """The gap answers are offered by their keys, never written as options."""
    return [
        TemplateError(
            f"{path}.options[{index}].value",
            f"{option.get('value')!r} is reserved: give {option.get('value')}: true to offer "
            f'"{GAP_LABELS[str(option.get("value"))]}"',
        )
        for index, option in _dicts(raw.get("options"))
        if isinstance(option.get("value"), str) and option["value"] in GAP_LABELS
    ]


def _check_condition(
    path: str,
    question: Question,
    earlier: dict[str, Question],
    every_id: set[Any],
    scales: dict[str, Scale],
) -> list[TemplateError]:
    condition = question.show_if
    if condition is None:
        return []
    target = earlier.get(condition.question)
    if target is None:
        if condition.question == question.id:
            problem = "a question cannot depend on itself"
        elif condition.question in every_id:
            problem = (
                f"{condition.question!r} comes later; a condition can only name an earlier question"
            )
        else:
            problem = f"there is no question {condition.question!r} in this template"
        return [TemplateError(f"{path}.show_if.question", problem)]
    if target.type not in ANSWER_TYPES:
        return []  # the earlier question's type is reported already
    target_type = ANSWER_TYPES[target.type]
    choices = target_type.choices(target, scales)
    if choices is None and target_type.set_answers:
        return []  # the list is missing (a grade's scale): reported already
    if choices is None:
        return [
            TemplateError(
                f"{path}.show_if.question",
                f"{condition.question!r} is a {target.type} question; "
                "a condition needs one with set answers",
            )
        ]
    possible = [choice.value for choice in choices]
    return [
        TemplateError(
            f"{path}.show_if",
            f"{value!r} is not a possible answer to {condition.question!r} "
            f"(possible: {', '.join(possible)})",
        )
        for value in condition.values
        if value not in possible
    ]


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(data: Any) -> str:
    """SHA-256 of the template's content in canonical JSON: comments and layout do not count."""
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def validate(data: Any) -> list[TemplateError]:
    """Every error in a parsed template (an empty list when it is valid)."""
    errors = _schema_errors(data)
    for error in _check_meaning(data):
        if error not in errors:
            errors.append(error)
    return errors


def build(data: dict[str, Any]) -> AuditTemplateDefinition:
    """A validated template's content as typed objects."""
    scales = _scales(data)
    sections = tuple(
        Section(
            title=section["title"],
            guidance=section.get("guidance"),
            questions=tuple(
                replace(_question(raw), evidence_of=grade) if grade else _question(raw)
                for _, raw, grade in _as_asked(section["questions"], "")
            ),
            asked_of=_sectors(section.get("asked_of")),
        )
        for section in data["sections"]
    )
    questions = [question for section in sections for question in section.questions]
    return AuditTemplateDefinition(
        choices={
            question.id: tuple(choices)
            for question in questions
            if (choices := ANSWER_TYPES[question.type].choices(question, scales)) is not None
        },
        id=data["id"],
        title=data["title"],
        version=data["version"],
        purpose=data["purpose"],
        scales=scales,
        sections=sections,
        content_hash=content_hash(data),
        content=data,
    )


def parse(raw: bytes | str, filename: str | None = None) -> AuditTemplateDefinition:
    """Read, validate and build a template file.

    Raises :class:`TemplateInvalid` listing every error.
    """
    try:
        data = read_yaml(raw)
    except TemplateInvalid as invalid:
        raise TemplateInvalid(
            [TemplateError(e.path, e.message, filename) for e in invalid.errors]
        ) from None
    errors = validate(data)
    if errors:
        raise TemplateInvalid([TemplateError(e.path, e.message, filename) for e in errors])
    return build(data)


# --- Comparing versions ------------------------------------------------------------------


@dataclass
class TemplateDiff:
    added: list[Question] = field(default_factory=list)
    removed: list[Question] = field(default_factory=list)
    reworded: list[tuple[Question, Question]] = field(default_factory=list)
    changed: list[tuple[Question, Question, list[str]]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.reworded or self.changed)


def compare(old: AuditTemplateDefinition, new: AuditTemplateDefinition) -> TemplateDiff:
    """Questions added, removed, reworded (text or hint) and otherwise changed, by id."""
    before = {q.id: q for q in old.questions}
    after = {q.id: q for q in new.questions}
    diff = TemplateDiff(
        added=[q for q in new.questions if q.id not in before],
        removed=[q for q in old.questions if q.id not in after],
    )
    for question in new.questions:
        previous = before.get(question.id)
        if previous is None:
            continue
        if (previous.text, previous.hint) != (question.text, question.hint):
            diff.reworded.append((previous, question))
        changed = [
            name
            for name in (
                "type",
                "required",
                "column",
                "maps",
                "options",
                "scale",
                "rationale",
                "themes",
                "show_if",
                "min",
                "max",
                "unit",
                "asked_of",
                "lens",
                "not_known",
                "does_not_apply",
                "descriptors",
                "urgent_if",
            )
            if getattr(previous, name) != getattr(question, name)
        ]
        if question.scale and old.scales.get(question.scale) != new.scales.get(question.scale):
            changed.append("the scale's grades")  # their labels, columns or descriptors
        if changed:
            diff.changed.append((previous, question, changed))
    return diff
