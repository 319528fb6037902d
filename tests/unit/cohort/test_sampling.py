"""The cohort draw: reproducible, checkable, and refused with reasons when it cannot be made."""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_app.cohort.population import ColumnMapping, Population, read_population
from audit_app.cohort.sampling import (
    METHOD_SIMPLE,
    METHOD_STRATIFIED,
    Filter,
    SamplingError,
    age_on,
    allocate,
    apply_filters,
    canonical_form,
    draw,
    draw_key,
    fingerprint,
    new_seed,
    parse_filter,
    parse_strata,
    pseudonym,
    reproduce_command,
    verify,
)

ROOT = Path(__file__).resolve().parent.parent.parent.parent
WARD14 = ROOT / "tests" / "fixtures" / "population" / "ward14-discharges.csv"
DOCS = ROOT / "docs" / "sampling.md"
MAPPING = ColumnMapping("Ward number", "Name", "Date of birth", ("NHS number",))
ID = ColumnMapping("Id", "Name")


def ward14() -> Population:
    return read_population(WARD14.read_bytes(), WARD14.name)


def children(count: int, **columns: list[str]) -> Population:
    """A population of ``count`` children with ids C001..., names and any extra columns."""
    names = ("Id", "Name", *columns)
    rows = tuple(
        {
            "Id": f"C{n:03d}",
            "Name": f"Child number {n}",
            **{column: values[n] for column, values in columns.items()},
        }
        for n in range(count)
    )
    return Population(names, rows, "children.csv")


def ids(population: Population, indexes: tuple[int, ...] | list[int]) -> list[str]:
    return [population.rows[index]["Id"] for index in indexes]


def problems(error: pytest.ExceptionInfo[SamplingError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


# --- The simple draw ---------------------------------------------------------------------


def test_the_same_seed_and_list_give_the_same_children_in_the_same_order() -> None:
    first = draw(ward14(), MAPPING, 5, "ward14-2020")
    second = draw(ward14(), MAPPING, 5, "ward14-2020")
    assert first == second
    assert first.method == METHOD_SIMPLE
    assert first.population_size == 20 and first.size == 5
    assert first.chosen_ids == tuple(ward14().rows[i]["Ward number"] for i in first.chosen)
    # Pinned: these never change between Python versions or machines.
    assert first.chosen_ids == ("W14-0368", "W14-0222", "W14-0311", "W14-0263", "W14-0201")


def test_the_draw_order_is_key_order_and_child_a_has_the_smallest_key() -> None:
    population = children(30)
    result = draw(population, ID, 30, "abc")
    keys = [draw_key("abc", local_id) for local_id in result.chosen_ids]
    assert keys == sorted(keys)
    smaller = draw(population, ID, 4, "abc")
    assert smaller.chosen == result.chosen[:4]  # a bigger draw extends a smaller one


def test_a_different_seed_gives_a_different_sample() -> None:
    population = children(50)
    samples = {frozenset(draw(population, ID, 10, seed).chosen) for seed in ("a", "b", "c", "d")}
    assert len(samples) == 4


def test_the_order_of_rows_in_the_file_does_not_change_the_draw() -> None:
    population = children(25)
    backwards = replace(population, rows=population.rows[::-1])
    assert draw(population, ID, 7, "seed").chosen_ids == draw(backwards, ID, 7, "seed").chosen_ids


def test_new_seeds_are_16_hex_characters_and_differ() -> None:
    seeds = {new_seed() for _ in range(20)}
    assert len(seeds) == 20
    assert all(re.fullmatch(r"[0-9a-f]{16}", seed) for seed in seeds)


@pytest.mark.parametrize(
    ("index", "code"),
    [
        *[(0, "Child A"), (1, "Child B"), (25, "Child Z"), (26, "Child AA"), (27, "Child AB")],
        *[(51, "Child AZ"), (52, "Child BA"), (701, "Child ZZ"), (702, "Child AAA")],
    ],
)
def test_pseudonyms(index: int, code: str) -> None:
    assert pseudonym(index) == code


def test_a_negative_place_has_no_pseudonym() -> None:
    with pytest.raises(ValueError, match="negative"):
        pseudonym(-1)


# --- Refusals ----------------------------------------------------------------------------


def test_asking_for_more_children_than_match_the_filters_is_refused() -> None:
    population = children(20, Ward=["14"] * 9 + ["15"] * 11)
    with pytest.raises(SamplingError) as caught:
        draw(population, ID, 12, "seed", ["Ward=14"])
    assert problems(caught) == ["You asked for 12 children but only 9 match the filters"]
    with pytest.raises(SamplingError) as caught:
        draw(population, ID, 21, "seed")
    assert problems(caught) == ["You asked for 21 children but only 20 are in the list"]
    with pytest.raises(SamplingError) as caught:
        draw(population, ID, 1, "seed", ["Ward=16"])
    assert problems(caught) == ["You asked for 1 child but none match the filters"]
    assert draw(population, ID, 9, "seed", ["Ward=14"]).size == 9


@pytest.mark.parametrize(
    ("size", "seed", "message"),
    [
        (0, "seed", "Choose at least 1 child"),
        (-3, "seed", "Choose at least 1 child"),
        (3, "", "The seed is blank"),
        (3, "   ", "The seed is blank"),
        (3, "x" * 101, "The seed is 101 characters long; the limit is 100"),
        (3, " seed", "The seed starts or ends with a space"),
        (3, "se\ned", "The seed holds a line break"),
    ],
)
def test_bad_sizes_and_seeds_are_refused(size: int, seed: str, message: str) -> None:
    with pytest.raises(SamplingError) as caught:
        draw(children(5), ID, size, seed)
    assert any(problem.startswith(message) for problem in problems(caught))


def test_a_seed_of_100_characters_of_any_text_is_fine() -> None:
    assert draw(children(5), ID, 2, "é" * 99 + "🙂").size == 2


def test_columns_that_do_not_exist_are_all_named_at_once() -> None:
    with pytest.raises(SamplingError) as caught:
        draw(children(5), ColumnMapping("ID", "Name"), 2, "s", ["Ward=14"], "gender")
    assert problems(caught) == [
        "The local id column: there is no column 'ID' in the list; did you mean 'Id'?",
        "The filter 'Ward=14': there is no column 'Ward' in the list "
        "(its columns are 'Id', 'Name')",
        "The strata: there is no column 'gender' in the list (its columns are 'Id', 'Name')",
    ]


def test_blank_or_duplicate_local_ids_stop_the_draw() -> None:
    population = Population(
        ("Id", "Name"),
        ({"Id": "a", "Name": "A"}, {"Id": "", "Name": "B"}, {"Id": "a", "Name": "C"}),
        "list.csv",
    )
    with pytest.raises(SamplingError) as caught:
        draw(population, ID, 1, "seed")
    assert problems(caught) == [
        "Row 3, column 'Id': the local id is blank: every child needs one",
        "Column 'Id': rows 2 and 4 have the same local id 'a'",
    ]


# --- Filters -----------------------------------------------------------------------------


DATES = children(
    6,
    Ward=[" 14 ", "14", "15", "Ward 14", "14", "14"],
    Discharged=["2019-12-31", "1/1/2020", "15 June 2020", "31/12/2020", "01/01/2021", "bad"],
    DOB=["2003-02-28", "2004-02-29", "2004-03-01", "2010-06-15", "", "2010-06-16"],
)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("Ward=14", "Ward=14"),
        ("  Ward  =  14  ", "Ward=14"),
        ("Local authority = Coventry City Council", "Local authority=Coventry City Council"),
        ("Note=a=b", "Note=a=b"),
        ("Note=", "Note="),
        ("Discharge date>=2020-01-01", "Discharge date>=2020-01-01"),
        ("Discharge date <= 31/12/2020", "Discharge date<=2020-12-31"),
        ("age(Date of birth)@2020-12-31=11-17", "age(Date of birth)@2020-12-31=11-17"),
        ("AGE( DOB ) @ 31/12/2020 = 16", "age(DOB)@2020-12-31=16-16"),
    ],
)
def test_filters_read_back_in_their_canonical_form(text: str, canonical: str) -> None:
    parsed = parse_filter(text)
    assert str(parsed) == canonical
    assert str(parse_filter(canonical)) == canonical


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Ward 14", "'Ward 14' is not a filter: write COLUMN=VALUE, COLUMN>=YYYY-MM-DD"),
        ("=14", "has no column name before '='"),
        (">=2020-01-01", "has no column name before '>='"),
        ("Discharged>=", "has no date after '>=': write it as Discharged>=2020-01-31"),
        ("Discharged>=2020-02-30", "'2020-02-30' is not a real date"),
        ("Discharged<=01/13/2020", "dates are read day first"),
        ("Discharged>=last week", "'last week' is not a date that can be read"),
        ("age(DOB)@2020-12-31=17-11", "the age range 17-11 runs backwards"),
        ("age(DOB)@2020-12-31=teen", "'teen' is not an age range"),
        ("age(DOB)@2020-12-31=5-200", "200 is not a possible age"),
        ("age(DOB)@someday=5-10", "'someday' is not a date that can be read"),
        ("age()@2020-12-31=5-10", "give the date of birth column inside age( )"),
        ("age(DOB)@2020-12-31:5-10", "is not a filter"),
    ],
)
def test_bad_filter_syntax_says_how_to_write_it(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_filter(text)
    assert message in str(caught.value)


def test_equals_ignores_case_and_surrounding_spaces_but_not_inner_text() -> None:
    assert ids(DATES, apply_filters(DATES, ["Ward=14"])) == ["C000", "C001", "C004", "C005"]
    assert ids(DATES, apply_filters(DATES, ["Ward= ward 14"])) == ["C003"]
    assert apply_filters(DATES, ["Ward=WARD  14"]) == []


def test_date_filters_are_inclusive_and_read_day_first_dates() -> None:
    population = children(
        5, Discharged=["2019-12-31", "1/1/2020", "15 June 2020", "31/12/2020", "01/01/2021"]
    )
    within = ["Discharged>=2020-01-01", "Discharged<=31/12/2020"]
    assert ids(population, apply_filters(population, within)) == ["C001", "C002", "C003"]
    assert ids(population, apply_filters(population, within[:1])) == [
        "C001",
        "C002",
        "C003",
        "C004",
    ]
    assert ids(population, apply_filters(population, within[1:])) == [
        "C000",
        "C001",
        "C002",
        "C003",
    ]


def test_a_cell_that_is_not_a_date_is_named_by_row_and_column() -> None:
    with pytest.raises(SamplingError) as caught:
        apply_filters(DATES, ["Discharged>=2020-01-01"])
    assert problems(caught) == [
        "Row 7, column 'Discharged': 'bad' is not a date that can be read: write it as "
        "31/01/2009, 2009-01-31 or 31 January 2009"
    ]
    with pytest.raises(SamplingError) as caught:
        apply_filters(DATES, ["age(DOB)@2020-12-31=0-17"])
    assert problems(caught) == ["Row 6, column 'DOB': the date is blank"]


def test_filters_apply_in_turn_so_rows_already_left_out_are_not_checked() -> None:
    # C005 ("bad") and C004 (blank DOB) are in Ward 14; Ward 15 and "Ward 14" rows are fine.
    assert ids(DATES, apply_filters(DATES, ["Ward=15", "Discharged>=2020-01-01"])) == ["C002"]
    assert ids(DATES, apply_filters(DATES, ["Ward=ward 14", "age(DOB)@2020-12-31=0-17"])) == [
        "C003"
    ]


def test_age_filters_count_whole_years_and_leap_day_birthdays() -> None:
    assert age_on(date(2003, 2, 28), date(2020, 2, 28)) == 17  # the birthday itself
    assert age_on(date(2010, 6, 16), date(2020, 6, 15)) == 9  # the day before
    # Born on 29 February: a year older on 1 March when the year has no 29 February.
    assert age_on(date(2004, 2, 29), date(2021, 2, 28)) == 16
    assert age_on(date(2004, 2, 29), date(2021, 3, 1)) == 17
    assert age_on(date(2004, 2, 29), date(2020, 2, 29)) == 16
    population = children(3, DOB=["2003-02-28", "2004-02-29", "2004-03-01"])
    assert ids(population, apply_filters(population, ["age(DOB)@2020-02-28=17-17"])) == ["C000"]
    assert ids(population, apply_filters(population, ["age(DOB)@2020-02-29=16-16"])) == ["C001"]
    assert ids(population, apply_filters(population, ["age(DOB)@2020-02-29=15-15"])) == ["C002"]
    assert ids(population, apply_filters(population, ["age(DOB)@2020-02-29=0-17"])) == [
        "C000",
        "C001",
        "C002",
    ]


def test_filter_objects_and_strings_are_the_same() -> None:
    population = children(4, Ward=["14", "15", "14", "15"])
    assert apply_filters(population, [Filter("Ward", "=", "15")]) == [1, 3]
    assert apply_filters(population, ["Ward=15"]) == [1, 3]
    assert apply_filters(population, []) == [0, 1, 2, 3]


def test_a_filter_on_a_column_that_does_not_exist_is_refused() -> None:
    with pytest.raises(SamplingError) as caught:
        apply_filters(DATES, ["ward=14"])
    assert problems(caught) == [
        "The filter 'ward=14': there is no column 'ward' in the list; did you mean 'Ward'?"
    ]


def test_the_result_records_the_filters_canonically() -> None:
    population = children(10, Ward=["14"] * 10)
    result = draw(population, ID, 3, "seed", [" Ward = 14 "])
    assert result.filters == ("Ward=14",)
    assert result.population_size == 10


# --- Fingerprint -------------------------------------------------------------------------


def test_the_canonical_form_is_compact_sorted_json_lines_sorted_by_local_id() -> None:
    population = Population(
        ("Name", "Id"),
        ({"Name": "Zoë", "Id": "b"}, {"Name": 'Al "A"', "Id": "a"}, {"Name": "x", "Id": "c"}),
        "list.csv",
    )
    assert canonical_form(population, [0, 1], ID) == (
        '{"Id":"a","Name":"Al \\"A\\""}\n{"Id":"b","Name":"Zoë"}'
    )


POPULATION_50 = children(50, Ward=[str(14 + n % 3) for n in range(50)])


@settings(max_examples=100, deadline=None)
@given(
    row=st.integers(0, 49),
    column=st.sampled_from(POPULATION_50.columns),
    value=st.text(max_size=20),
)
def test_changing_any_cell_changes_the_fingerprint(row: int, column: str, value: str) -> None:
    before = fingerprint(POPULATION_50, range(50), ID)
    old = POPULATION_50.rows[row][column]
    new = value if value != old else old + "x"
    rows = list(POPULATION_50.rows)
    rows[row] = {**rows[row], column: new}
    changed = replace(POPULATION_50, rows=tuple(rows))
    assert fingerprint(changed, range(50), ID) != before


@settings(max_examples=50, deadline=None)
@given(order=st.permutations(range(50)))
def test_reordering_rows_does_not_change_the_fingerprint(order: list[int]) -> None:
    shuffled = replace(POPULATION_50, rows=tuple(POPULATION_50.rows[i] for i in order))
    assert fingerprint(shuffled, range(50), ID) == fingerprint(POPULATION_50, range(50), ID)


def test_the_order_of_columns_does_not_change_the_fingerprint() -> None:
    swapped = Population(
        tuple(reversed(POPULATION_50.columns)),
        tuple(dict(reversed(row.items())) for row in POPULATION_50.rows),
        "other.csv",
    )
    assert fingerprint(swapped, range(50), ID) == fingerprint(POPULATION_50, range(50), ID)


def test_adding_or_removing_a_row_changes_the_fingerprint() -> None:
    full = fingerprint(POPULATION_50, range(50), ID)
    assert fingerprint(POPULATION_50, range(49), ID) != full
    assert fingerprint(POPULATION_50, range(1, 50), ID) != full


def test_the_fingerprint_covers_only_the_filtered_rows() -> None:
    result = draw(POPULATION_50, ID, 5, "seed", ["Ward=14"])
    rows = list(POPULATION_50.rows)
    rows[1] = {**rows[1], "Name": "changed"}  # row 1 is Ward 15: not in the population
    changed = replace(POPULATION_50, rows=tuple(rows))
    assert draw(changed, ID, 5, "seed", ["Ward=14"]).fingerprint == result.fingerprint
    assert result.fingerprint == fingerprint(POPULATION_50, range(0, 50, 3), ID)


# --- Stratified draws --------------------------------------------------------------------


def test_allocation_uses_the_largest_remainder_with_ties_to_the_first_label() -> None:
    assert allocate({"0-10": 14, "11-13": 19, "14-15": 17, "16-17": 10}, 10) == {
        "0-10": 2,
        "11-13": 3,
        "14-15": 3,
        "16-17": 2,
    }
    assert allocate({"Male": 5, "Female": 5}, 3) == {"Male": 1, "Female": 2}
    assert allocate({"b": 1, "a": 1, "c": 1}, 1) == {"a": 1, "b": 0, "c": 0}
    assert allocate({"a": 3, "b": 7}, 10) == {"a": 3, "b": 7}


@settings(max_examples=150, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 30), min_size=1, max_size=7),
    data=st.data(),
)
def test_stratified_draws_respect_the_allocation(sizes: list[int], data: st.DataObject) -> None:
    total = sum(sizes)
    size = data.draw(st.integers(1, total))
    labels = [f"S{n}" for n in range(len(sizes))]
    strata = [label for label, count in zip(labels, sizes, strict=True) for _ in range(count)]
    population = children(total, Group=strata)
    result = draw(population, ID, size, "seed", strata="Group")
    assert result.method == METHOD_STRATIFIED
    assert sum(result.allocation.values()) == size == len(result.chosen)
    for label, count in zip(labels, sizes, strict=True):
        quota = size * count / total
        assert result.allocation[label] in {int(quota), -int(-quota // 1)}
        chosen_here = [i for i in result.chosen if population.rows[i]["Group"] == label]
        assert len(chosen_here) == result.allocation[label]
        # Within a stratum, the rows with the smallest keys are taken.
        members = [i for i in range(total) if population.rows[i]["Group"] == label]
        members.sort(key=lambda i: draw_key("seed", population.rows[i]["Id"]))
        assert set(chosen_here) == set(members[: result.allocation[label]])
    keys = [draw_key("seed", local_id) for local_id in result.chosen_ids]
    assert keys == sorted(keys)


def test_strata_by_column_keep_case_and_name_blanks() -> None:
    population = children(8, Gender=["Female", "female", "", "Male", "Male", " ", "Male", "M"])
    result = draw(population, ID, 4, "seed", strata="Gender")
    assert result.stratum_sizes == {"(blank)": 2, "Female": 1, "M": 1, "Male": 3, "female": 1}
    assert sum(result.allocation.values()) == 4
    assert result.strata == "Gender"


def test_strata_by_age_band() -> None:
    born = ["2015-01-01"] * 4 + ["2008-06-01"] * 3 + ["2006-01-01"] * 2 + ["2004-01-01"]
    population = children(10, DOB=born)
    spec = "age(DOB)@31/12/2020:0-10, 11-13,14-15,16-17"
    result = draw(population, ID, 5, "seed", strata=spec)
    assert result.strata == "age(DOB)@2020-12-31:0-10,11-13,14-15,16-17"
    assert result.stratum_sizes == {"0-10": 4, "11-13": 3, "14-15": 2, "16-17": 1}
    assert result.allocation == {"0-10": 2, "11-13": 2, "14-15": 1, "16-17": 0}


def test_a_child_outside_every_age_band_is_named() -> None:
    population = children(3, DOB=["2010-01-01", "2001-05-05", "2012-01-01"])
    with pytest.raises(SamplingError) as caught:
        draw(population, ID, 2, "seed", strata="age(DOB)@2020-12-31:0-10,11-17")
    assert problems(caught) == [
        "Row 3, column 'DOB': this child is 19 on 2020-12-31, which is in none of the "
        "age bands 0-10, 11-17"
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("age(DOB)@2020-12-31:0-10,10-13", "the age bands 0-10 and 10-13 overlap"),
        ("age(DOB)@2020-12-31:0-10,x", "'x' is not an age range"),
        ("age(DOB)@2020-12-31=0-10", "are not age bands"),
        ("age(DOB)@2020-02-30:0-10", "'2020-02-30' is not a real date"),
        ("  ", "the strata are blank"),
    ],
)
def test_bad_strata_are_refused(spec: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_strata(spec)
    assert message in str(caught.value)
    with pytest.raises(SamplingError) as drawn:
        draw(children(3, DOB=["2010-01-01"] * 3), ID, 1, "seed", strata=spec)
    assert any(message in problem.message for problem in drawn.value.problems)


# --- Verification and the command --------------------------------------------------------


def recorded(result_population: Population, **changes: object) -> dict[str, object]:
    result = draw(result_population, MAPPING, 5, "ward14-2020", ["Discharge date>=2020-01-01"])
    fields: dict[str, object] = {
        "size": result.size,
        "seed": result.seed,
        "filters": result.filters,
        "strata": result.strata,
        "fingerprint": result.fingerprint,
        "chosen_local_ids": result.chosen_ids,
        "method": result.method,
    }
    return {**fields, **changes}


def test_verify_passes_on_the_same_list() -> None:
    check = verify(ward14(), MAPPING, **recorded(ward14()))  # type: ignore[arg-type]
    assert check.ok
    assert check.messages[0].startswith("The population list is the one the children were drawn")
    assert check.messages[1] == "Re-running the draw gives the same 5 children in the same order."


def test_verify_catches_a_changed_list() -> None:
    record = recorded(ward14())
    rows = list(ward14().rows)
    rows[3] = {**rows[3], "Name": "Daniyal Khan-Smith"}
    changed = replace(ward14(), rows=tuple(rows))
    check = verify(changed, MAPPING, **record)  # type: ignore[arg-type]
    assert not check.ok
    assert check.messages[0].startswith(
        "The fingerprint has changed: this population list is not the one the children were "
        "drawn from"
    )
    assert check.messages[1].startswith("Re-running the draw gives the same 5 children")


def test_verify_names_different_children() -> None:
    record = recorded(ward14(), chosen_local_ids=("W14-0368", "W14-0222", "X", "W14-0263", "Y"))
    check = verify(ward14(), MAPPING, **record)  # type: ignore[arg-type]
    assert not check.ok
    assert check.messages[1:] == [
        "Re-running the draw gives different children:",
        "Child C was 'X', now 'W14-0311'.",
        "Child E was 'Y', now 'W14-0201'.",
    ]
    reordered = recorded(ward14())
    reordered["chosen_local_ids"] = tuple(reversed(reordered["chosen_local_ids"]))  # type: ignore[call-overload]
    check = verify(ward14(), MAPPING, **reordered)  # type: ignore[arg-type]
    assert not check.ok and "same children, but in a different order" in check.messages[1]


def test_verify_says_when_the_draw_cannot_be_made_again() -> None:
    record = recorded(ward14(), size=30)
    check = verify(ward14(), MAPPING, **record)  # type: ignore[arg-type]
    assert not check.ok
    assert check.messages == [
        "The draw cannot be made again from this list:",
        "You asked for 30 children but only 19 match the filters",
    ]
    unknown = verify(ward14(), MAPPING, **recorded(ward14(), method="v9"))  # type: ignore[arg-type]
    assert not unknown.ok and "'v9'" in unknown.messages[0]


def test_the_reproduce_command_quotes_every_argument() -> None:
    population = children(6, Ward=["14"] * 6)
    mapping = ColumnMapping("Id", "Name")
    result = draw(population, mapping, 2, "it's a seed", ["Ward=14"], "Ward")
    command = reproduce_command("Ward 14 (2020).xlsx", mapping, result)
    assert shlex.split(command) == [
        "audit-app",
        "cohort",
        "draw",
        "--population",
        "Ward 14 (2020).xlsx",
        "--id-column",
        "Id",
        "--size",
        "2",
        "--seed",
        "it's a seed",
        "--filter",
        "Ward=14",
        "--strata",
        "Ward",
    ]


# --- The worked examples in docs/sampling.md ---------------------------------------------


EXAMPLE_SEED = "7f3a9c2e51b8d046"
EXAMPLE = Population(
    ("Ward number", "Name", "Date of birth"),
    (
        {"Ward number": "W14-0193", "Name": "Amara Okafor", "Date of birth": "14/03/2007"},
        {"Ward number": "W14-0201", "Name": "Ben Hughes", "Date of birth": "2/11/2009"},
        {"Ward number": "W14-0215", "Name": "Chloé Patel", "Date of birth": "29/02/2008"},
    ),
    "example.csv",
)
EXAMPLE_MAPPING = ColumnMapping("Ward number", "Name")


def test_the_worked_example_in_the_docs_is_what_the_code_does() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    documented_keys = dict(re.findall(r"^\| (W14-\d{4}) \| `([0-9a-f]{64})` \|", docs, re.M))
    assert documented_keys == {
        row["Ward number"]: draw_key(EXAMPLE_SEED, row["Ward number"]) for row in EXAMPLE.rows
    }
    assert f"`{EXAMPLE_SEED}`" in docs
    result = draw(EXAMPLE, EXAMPLE_MAPPING, 2, EXAMPLE_SEED)
    assert result.chosen_ids == ("W14-0201", "W14-0215")
    assert "Child A is W14-0201 and Child B is W14-0215" in docs
    assert canonical_form(EXAMPLE, range(3), EXAMPLE_MAPPING) in docs
    assert f"`{result.fingerprint}`" in docs
    assert reproduce_command("example.csv", EXAMPLE_MAPPING, result) in docs


def test_the_stratified_example_in_the_docs_is_what_the_code_does() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+-\d+) \| (\d+) \| [\d.]+ \| (\d) \| [\d.]+ \| (\d) \|$", docs, re.M)
    assert len(rows) == 4
    sizes = {label: int(size) for label, size, _, _ in rows}
    assert allocate(sizes, 10) == {label: int(places) for label, _, _, places in rows}
    assert allocate({"Female": 5, "Male": 5}, 3) == {"Female": 2, "Male": 1}
    assert "Female gets 2 places and Male 1" in docs
