"""``audit-app cohort draw``: the same draw as the service, from a file, outside the service."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from audit_app.cohort.cli import cohort_group
from audit_app.cohort.population import ColumnMapping, read_population
from audit_app.cohort.sampling import draw, pseudonym, reproduce_command

FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures" / "population"
WARD14 = FIXTURES / "ward14-discharges.csv"
EXAMPLE = FIXTURES / "worked-example.csv"
DOCS = Path(__file__).resolve().parent.parent.parent.parent / "docs" / "sampling.md"
MAPPING = ColumnMapping("Ward number", "Name", "Date of birth")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cohort_group, ["draw", *(str(arg) for arg in args)])


def chosen(output: str) -> list[str]:
    return re.findall(r"^Child [A-Z]+: (.*) \(row \d+\)$", output, re.M)


def fingerprint_of(output: str) -> str:
    match = re.search(r"^Fingerprint \(SHA-256\): ([0-9a-f]{64})$", output, re.M)
    assert match, output
    return match.group(1)


def test_the_command_prints_what_draw_chooses() -> None:
    filters = ["Discharge date>=2020-01-01", "Discharge date<=2020-12-31"]
    result = run(
        "--population",
        WARD14,
        "--size",
        "6",
        "--seed",
        "ward14-2020",
        *[part for item in filters for part in ("--filter", item)],
    )
    assert result.exit_code == 0, result.output
    expected = draw(
        read_population(WARD14.read_bytes(), WARD14.name), MAPPING, 6, "ward14-2020", filters
    )
    assert chosen(result.stdout) == list(expected.chosen_ids)
    assert fingerprint_of(result.stdout) == expected.fingerprint
    lines = result.stdout.splitlines()
    assert "Method: sha256-key-order-v1" in lines
    assert "Seed: ward14-2020" in lines
    assert "Filter: Discharge date>=2020-01-01" in lines
    assert "Population size (after filters): 18" in lines
    population = read_population(WARD14.read_bytes(), WARD14.name)
    assert lines[-6:] == [
        f"{pseudonym(n)}: {local_id} (row {population.row_number(index)})"
        for n, (index, local_id) in enumerate(
            zip(expected.chosen, expected.chosen_ids, strict=True)
        )
    ]
    assert result.stderr == ""


def test_a_stratified_draw_prints_its_allocation() -> None:
    spec = "age(Date of birth)@2020-12-31:0-10,11-13,14-15,16-17"
    result = run("--population", WARD14, "--size", "6", "--seed", "s", "--strata", spec)
    assert result.exit_code == 0, result.output
    expected = draw(read_population(WARD14.read_bytes(), WARD14.name), MAPPING, 6, "s", (), spec)
    assert chosen(result.stdout) == list(expected.chosen_ids)
    assert "Method: sha256-key-order-stratified-v1" in result.stdout
    assert "Allocation: 0-10: 1 of 4, 11-13: 3 of 9, 14-15: 1 of 5, 16-17: 1 of 2" in result.stdout


def test_the_id_column_defaults_to_the_first_column(tmp_path: Path) -> None:
    moved = tmp_path / "moved.csv"
    moved.write_text("Name,Ward number\nAnn,W1\nBob,W2\nCy,W3\n", encoding="utf-8")
    by_default = run("--population", moved, "--size", "3", "--seed", "s")
    by_name = run("--population", moved, "--size", "3", "--seed", "s", "--id-column", "Name")
    by_ward = run("--population", moved, "--size", "3", "--seed", "s", "--id-column", "Ward number")
    assert "Local id column: Name" in by_default.stdout
    assert chosen(by_default.stdout) == chosen(by_name.stdout)
    assert sorted(chosen(by_default.stdout)) == ["Ann", "Bob", "Cy"]
    assert sorted(chosen(by_ward.stdout)) == ["W1", "W2", "W3"]


def test_the_command_the_service_shows_makes_the_same_draw() -> None:
    population = read_population(WARD14.read_bytes(), WARD14.name)
    filters = ["age(Date of birth)@2020-12-31=11-17"]
    result = draw(population, MAPPING, 4, "panel agreed: 14 May", filters, "Gender")
    command = reproduce_command(str(WARD14), MAPPING, result)
    arguments = shlex.split(command)
    assert arguments[:3] == ["audit-app", "cohort", "draw"]
    output = CliRunner().invoke(cohort_group, arguments[2:])
    assert output.exit_code == 0, output.output
    assert chosen(output.stdout) == list(result.chosen_ids)
    assert fingerprint_of(output.stdout) == result.fingerprint


def test_the_worked_example_file_gives_the_documented_draw() -> None:
    result = run("--population", EXAMPLE, "--size", "2", "--seed", "7f3a9c2e51b8d046")
    assert result.exit_code == 0, result.output
    assert chosen(result.stdout) == ["W14-0201", "W14-0215"]
    assert f"`{fingerprint_of(result.stdout)}`" in DOCS.read_text(encoding="utf-8")


def test_an_xlsx_file_gives_the_same_draw_as_its_csv(tmp_path: Path) -> None:
    population = read_population(WARD14.read_bytes(), WARD14.name)
    workbook = openpyxl.Workbook()
    workbook.active.append(list(population.columns))
    for row in population.rows:
        workbook.active.append([row[column] for column in population.columns])
    path = tmp_path / "ward14.xlsx"
    workbook.save(path)
    from_csv = run("--population", WARD14, "--size", "5", "--seed", "s")
    from_xlsx = run("--population", path, "--size", "5", "--seed", "s")
    assert from_xlsx.exit_code == 0, from_xlsx.output
    assert fingerprint_of(from_xlsx.stdout) == fingerprint_of(from_csv.stdout)
    assert chosen(from_xlsx.stdout) == chosen(from_csv.stdout)


@pytest.mark.parametrize(
    ("arguments", "heading", "problem"),
    [
        (
            ["--size", "30", "--seed", "s"],
            "The draw cannot be made:",
            "You asked for 30 children but only 20 are in the list",
        ),
        (["--size", "0", "--seed", "s"], "The draw cannot be made:", "Choose at least 1 child"),
        (
            ["--size", "2", "--seed", " s"],
            "The draw cannot be made:",
            "The seed starts or ends with a space",
        ),
        (
            ["--size", "2", "--seed", "s", "--filter", "Ward 14"],
            "The draw cannot be made:",
            "'Ward 14' is not a filter",
        ),
        (
            ["--size", "2", "--seed", "s", "--filter", "Ward=14"],
            "The draw cannot be made:",
            "there is no column 'Ward'",
        ),
        (
            ["--size", "2", "--seed", "s", "--strata", "Sex"],
            "The draw cannot be made:",
            "there is no column 'Sex'",
        ),
        (
            ["--size", "2", "--seed", "s", "--id-column", "Gender"],
            "The draw cannot be made:",
            "have the same local id 'Female'",
        ),
        (
            ["--size", "2", "--seed", "s", "--filter", "Name>=2020-01-01"],
            "The draw cannot be made:",
            "Row 2, column 'Name': 'Amara Okafor' is not a date that can be read",
        ),
    ],
)
def test_bad_input_exits_1_with_the_problems_on_stderr(
    arguments: list[str], heading: str, problem: str
) -> None:
    result = run("--population", WARD14, *arguments)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(heading + "\n")
    assert problem in result.stderr


def test_a_file_that_cannot_be_read_exits_1(tmp_path: Path) -> None:
    missing = run("--population", tmp_path / "nowhere.csv", "--size", "1", "--seed", "s")
    assert missing.exit_code == 1
    assert missing.stderr.startswith("Cannot read ")
    assert "No such file or directory" in missing.stderr
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Id,,Id\n1,2,3,4\n")
    refused = run("--population", bad, "--size", "1", "--seed", "s")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        "bad.csv cannot be used:",
        "  Row 1: column 2 (B) has no name: give every column a name in the header row, or "
        "delete the empty column",
        "  Row 1: the column name 'Id' is used more than once (columns 1 and 3): give each "
        "column a different name",
        "  Row 2: this row has 4 cells but there are only 3 columns: the extra value '4' has "
        "no column name",
    ]
    wrong_type = tmp_path / "list.xls"
    wrong_type.write_bytes(b"\xd0\xcf\x11\xe0")
    assert run("--population", wrong_type, "--size", "1", "--seed", "s").exit_code == 1


def test_a_file_over_the_size_limit_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.write(b"Id\n")
        handle.truncate(6 * 1024 * 1024)
    result = run("--population", big, "--size", "1", "--seed", "s")
    assert result.exit_code == 1
    assert result.stderr == (
        "big.csv cannot be used:\n  The file is 6 MB; the limit is 5 MB. Remove the rows or "
        "columns you do not need and upload it again.\n"
    )
