"""The audit template format: what is valid, and every way a file can be refused."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from audit_app.questionnaires import template_format as tf
from audit_app.questionnaires.answer_types import ANSWER_TYPES

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "fixtures" / "every-answer-type.yaml"


def example() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text())


def errors_of(data: Any) -> list[tuple[str, str]]:
    return [(error.path, error.message) for error in tf.validate(data)]


def test_the_example_is_valid_and_uses_every_answer_type() -> None:
    definition = tf.parse(EXAMPLE.read_bytes(), "every-answer-type.yaml")
    assert {q.type for q in definition.questions} == set(ANSWER_TYPES)
    assert definition.id == "example-audit" and definition.version == "1.0"
    assert len(definition.sections) == 2 and len(definition.questions) == 10
    assert set(definition.scales) == {"ofsted", "confidence", "sos_0_10"}


def test_the_json_schema_is_itself_valid_and_accepts_the_example() -> None:
    schema = tf.json_schema()
    Draft202012Validator.check_schema(schema)
    assert list(Draft202012Validator(schema).iter_errors(example())) == []


def _change(path: list[Any], value: Any) -> dict[str, Any]:
    data = example()
    target = data
    for part in path[:-1]:
        target = target[part]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


DELETE = object()
Q = ["sections", 0, "questions"]


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        (_change(["surprise"], 1), "", "unknown key 'surprise'"),
        (_change([*Q, 0, "colour"], "red"), "sections[0].questions[0]", "unknown key 'colour'"),
        (
            _change([*Q, 1, "id"], "early_help_offered"),
            "sections[0].questions[1].id",
            "the id 'early_help_offered' is already used at sections[0].questions[0]",
        ),
        (
            _change([*Q, 1, "column"], "worried"),
            "sections[0].questions[1].column",
            "'worried' is not allowed here",
        ),
        (
            _change([*Q, 0, "maps", "no"], "fine"),
            "sections[0].questions[0].maps.no",
            "'fine' is not allowed here",
        ),
        (
            _change([*Q, 0, "maps"], {"yes": "working_well"}),
            "sections[0].questions[0].maps",
            "no column for the answer(s): no",
        ),
        (
            _change([*Q, 0, "maps", "maybe"], "worried_about"),
            "sections[0].questions[0].maps.maybe",
            "'maybe' is not a possible answer",
        ),
        (
            _change([*Q, 1, "show_if"], {"question": "overall", "equals": "good"}),
            "sections[0].questions[1].show_if.question",
            "'overall' comes later",
        ),
        (
            _change([*Q, 1, "show_if"], {"question": "nobody", "equals": "no"}),
            "sections[0].questions[1].show_if.question",
            "there is no question 'nobody'",
        ),
        (
            _change([*Q, 1, "show_if"], {"question": "early_help_offered", "equals": "perhaps"}),
            "sections[0].questions[1].show_if",
            "'perhaps' is not a possible answer",
        ),
        (
            _change(["sections", 1, "questions", 0, "scale"], "rag"),
            "sections[1].questions[0].scale",
            "the scale 'rag' is not declared",
        ),
        (_change(["sections", 1, "questions"], []), "sections[1].questions", "must not be empty"),
        (_change(["sections"], []), "sections", "must not be empty"),
        (_change(["version"], 1.0), "version", 'put it in quotes, for example "1.0"'),
        (_change(["title"], DELETE), "", "'title' is missing"),
        (
            _change([*Q, 1, "column"], DELETE),
            "sections[0].questions[1]",
            "say which Signs of Safety column",
        ),
        (
            _change([*Q, 0, "column"], "working_well"),
            "sections[0].questions[0]",
            "give column or maps, not both",
        ),
        (
            _change([*Q, 1, "maps"], {"a": "working_well"}),
            "sections[0].questions[1]",
            "give column or maps, not both",
        ),
        (
            _change([*Q, 1, "scale"], "ofsted"),
            "sections[0].questions[1].scale",
            "a free_text question does not take 'scale'",
        ),
        (
            _change([*Q, 2, "options"], DELETE),
            "sections[0].questions[2]",
            "a single_choice question needs 'options'",
        ),
        (
            _change([*Q, 2, "options", 1, "value"], "school"),
            "sections[0].questions[2].options",
            "the option 'school' appears twice",
        ),
        (_change(["scales", 0], "stars"), "scales[0]", "neither a built-in scale"),
        (_change(["id"], "Children In Crisis"), "id", "is not a valid id"),
    ],
)
def test_each_bad_template_is_refused_with_where_and_what(
    data: dict[str, Any], path: str, message: str
) -> None:
    found = errors_of(data)
    assert any(p == path and message in m for p, m in found), found


def test_every_error_is_listed_not_just_the_first() -> None:
    data = example()
    data["surprise"] = True
    data["sections"][0]["questions"][1]["id"] = "early_help_offered"
    data["sections"][1]["questions"][0]["scale"] = "rag"
    paths = [path for path, _ in errors_of(data)]
    assert "" in paths
    assert "sections[0].questions[1].id" in paths
    assert "sections[1].questions[0].scale" in paths


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"id: [unclosed", "this is not valid YAML"),
        (b"a: &x [1]\nb: *x", "aliases (*name) are not allowed"),
        (b"id: a\nid: b\n", "the key 'id' appears twice"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"- just\n- a list\n", "must be a set of keys"),
        (b"", "must not be empty"),
        (b"x" * (tf.MAX_TEMPLATE_BYTES + 1), "the limit is 1 MB"),
    ],
)
def test_files_that_are_not_templates(raw: bytes, message: str) -> None:
    with pytest.raises(tf.TemplateInvalid) as refused:
        tf.parse(raw, "broken.yaml")
    assert any(message in error.message for error in refused.value.errors), refused.value
    assert all(error.file == "broken.yaml" for error in refused.value.errors)


def test_yaml_syntax_errors_name_the_line() -> None:
    with pytest.raises(tf.TemplateInvalid) as refused:
        tf.parse(b"id: x\ntitle: [\n", "broken.yaml")
    assert refused.value.errors[0].path.startswith("line ")


def test_the_hash_ignores_comments_and_layout_but_not_content() -> None:
    original = tf.parse(EXAMPLE.read_bytes())
    relaid = tf.parse(b"# a comment\n" + json.dumps(example(), indent=4).encode())
    assert relaid.content_hash == original.content_hash
    changed = _change([*Q, 0, "text"], "Was early help offered in time?")
    assert tf.build(changed).content_hash != original.content_hash


def test_compare_finds_added_removed_reworded_and_changed() -> None:
    old = tf.build(example())
    data = example()
    questions = data["sections"][0]["questions"]
    questions[0]["text"] = "Was early help offered in time?"
    questions[2]["maps"] = {"school": "working_well", "gp": "worried_about"}
    removed = questions.pop(3)
    questions.append(
        {
            "id": "new_one",
            "type": "free_text",
            "text": "Anything else?",
            "column": "needs_to_happen",
        }
    )
    diff = tf.compare(old, tf.build(data))
    assert [q.id for q in diff.added] == ["new_one"]
    assert [q.id for q in diff.removed] == [removed["id"]]
    assert [after.id for _, after in diff.reworded] == ["early_help_offered"]
    assert [(after.id, what) for _, after, what in diff.changed] == [("who_referred", ["maps"])]
    assert tf.compare(old, old).is_empty


def test_grades_fall_in_their_scales_columns_unless_mapped() -> None:
    definition = tf.build(example())
    overall = definition.question("overall")
    assert overall is not None
    grade = ANSWER_TYPES["grade"]
    assert grade.columns("good", overall, definition.scales) == ["working_well"]
    assert grade.columns("inadequate", overall, definition.scales) == ["worried_about"]
    sos = tf.BUILT_IN_SCALES["sos_0_10"]
    assert [level.column for level in sos.levels].count("working_well") == 4


# --- Random mutations never crash the validator ------------------------------------------

JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from(
    [
        "id",
        "type",
        "text",
        "column",
        "maps",
        "options",
        "scale",
        "show_if",
        "themes",
        "min",
        "max",
        "rationale",
        "questions",
        "title",
        "levels",
        "value",
        "label",
        "sections",
        "scales",
        "equals",
        "any_of",
        "question",
        "required",
        "hint",
        "unit",
        "version",
        "purpose",
        "lens",
        "not_known",
        "does_not_apply",
        "descriptors",
        "descriptor",
        "evidence_strength",
        "asked_of",
    ]
)


def _containers(node: Any, found: list[Any]) -> list[Any]:
    if isinstance(node, dict | list):
        found.append(node)
        for child in node.values() if isinstance(node, dict) else node:
            _containers(child, found)
    return found


def rich_example() -> dict[str, Any]:
    """The example with every key issue 10 added: lenses, sub-headings, gaps, descriptors."""
    data = example()
    early, missed, who, services = data["sections"][0]["questions"]
    overall, confidence = data["sections"][1]["questions"][:2]
    early["does_not_apply"] = True
    missed.update(lens="situation", column="complicating_factors")
    who.update(not_known=True, does_not_apply=True)
    services["asked_of"] = ["health", "mental_health"]
    overall.update(
        evidence_strength=True,
        not_known=True,
        descriptors={
            "outstanding": "a",
            "good": "b",
            "requires_improvement": "c",
            "inadequate": "d",
        },
    )
    data["scales"][1]["levels"] = [
        {"value": "0", "label": "0", "column": "danger", "descriptor": "Unsafe."},
        {"value": "10", "label": "10", "column": "safety", "descriptor": "Safe."},
    ]
    confidence["lens"] = "situation"
    return data


def test_the_rich_example_is_valid() -> None:
    assert errors_of(rich_example()) == []


@st.composite
def mutated_templates(draw: st.DrawFn) -> Any:
    data = copy.deepcopy(draw(st.sampled_from([example(), rich_example()])))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        containers = _containers(data, [])
        target = draw(st.sampled_from(containers))
        action = draw(st.sampled_from(["set", "delete", "duplicate", "replace_type"]))
        if isinstance(target, dict):
            key = draw(st.sampled_from(sorted(target)) if target and action != "set" else KEYS)
            if action == "delete" and key in target:
                del target[key]
            elif action == "duplicate" and key in target:
                target[draw(KEYS)] = copy.deepcopy(target[key])
            else:
                target[key] = draw(JSONISH)
        elif target:
            index = draw(st.integers(min_value=0, max_value=len(target) - 1))
            if action == "delete":
                del target[index]
            elif action == "duplicate":
                target.append(copy.deepcopy(target[index]))
            else:
                target[index] = draw(JSONISH)
    return data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_templates())
def test_random_mutations_are_valid_or_refused_never_a_crash(data: Any) -> None:
    errors = tf.validate(data)
    if errors:
        assert all(isinstance(e.message, str) and e.message for e in errors)
    else:
        definition = tf.build(data)  # a valid template always builds
        assert definition.questions


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_are_parsed_or_refused(raw: bytes) -> None:
    try:
        tf.parse(raw)
    except tf.TemplateInvalid as refused:
        assert refused.errors


def test_the_published_schema_file_is_up_to_date() -> None:
    published = (
        Path(__file__).resolve().parent.parent.parent.parent / "docs" / "audit-template.schema.json"
    )
    assert json.loads(published.read_text()) == tf.json_schema(), (
        "run: audit-app template schema > docs/audit-template.schema.json"
    )


def test_the_documented_example_is_a_valid_template() -> None:
    import re

    doc = (
        Path(__file__).resolve().parent.parent.parent.parent / "docs" / "audit-templates.md"
    ).read_text()
    examples = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    assert len(examples) == 1, "the doc has one complete example in a ```yaml block"
    assert tf.parse(examples[0]).questions


def test_yes_and_no_are_words_and_dates_are_text() -> None:
    text = EXAMPLE.read_text().replace(
        'maps: {"yes": working_well, "no": worried_about}',
        "maps: {yes: working_well, no: worried_about}",
    )
    definition = tf.parse(text)
    assert definition.question("early_help_offered").maps["yes"] == "working_well"
    data = tf.read_yaml(b"a: 2021-03-01\nb: on\nc: true\n1: x\n")
    assert data == {"a": "2021-03-01", "b": "on", "c": True, "1": "x"}


def test_errors_inside_a_custom_scale_point_at_the_level() -> None:
    data = example()
    del data["scales"][1]["levels"][1]["column"]
    assert errors_of(data) == [("scales[1].levels[1]", "'column' is missing")]


def test_a_condition_on_a_grade_must_name_a_level() -> None:
    data = example()
    data["sections"][1]["questions"][2]["show_if"] = {"question": "overall", "equals": "great"}
    assert errors_of(data) == [
        (
            "sections[1].questions[2].show_if",
            "'great' is not a possible answer to 'overall' "
            "(possible: outstanding, good, requires_improvement, inadequate)",
        )
    ]
    data["sections"][1]["questions"][2]["show_if"] = {"question": "overall", "equals": "good"}
    assert errors_of(data) == []


@pytest.mark.parametrize("question_id", ["validate", "meta", "questions", "version", "a__b"])
def test_ids_the_forms_need_are_refused(question_id: str) -> None:
    data = example()
    data["sections"][0]["questions"][1]["id"] = question_id
    assert any(path == "sections[0].questions[1].id" for path, _ in errors_of(data))
