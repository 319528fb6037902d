"""``audit-app cohort draw``: make a cohort draw again from a population file, outside the service.

Anyone holding the population list can check a draw with this command: it reads the file
the same way the service does, makes the same draw and prints the fingerprint of the
filtered list and the chosen children in order. The audit's cohort page shows the exact
command for its draw (:func:`audit_app.sampling.reproduce_command`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import click

from audit_app.cohort.population import (
    MAX_BYTES,
    ColumnMapping,
    PopulationError,
    read_population,
    size_problem,
)
from audit_app.cohort.sampling import SamplingError, draw, pseudonym


@click.group("cohort")
def cohort_group() -> None:
    """Cohort draws: re-run a draw from a population file to check it."""


def _fail(heading: str, problems: list[str]) -> NoReturn:
    click.echo(heading, err=True)
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    raise click.exceptions.Exit(1)


@cohort_group.command("draw")
@click.option(
    "--population",
    "path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The population list: a .csv or .xlsx file.",
)
@click.option("--size", required=True, type=int, help="How many children to choose.")
@click.option("--seed", required=True, help="The draw's seed, exactly as recorded.")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="EXPR",
    help="A filter such as 'Ward=14', 'Discharge date>=2020-01-01' or "
    "'age(Date of birth)@2020-12-31=11-17'. Repeat for several; a child must meet them all.",
)
@click.option(
    "--strata",
    metavar="SPEC",
    help="Stratify by a column ('Gender') or by age bands "
    "('age(Date of birth)@2020-12-31:0-10,11-13,14-15,16-17').",
)
@click.option(
    "--id-column",
    metavar="COLUMN",
    help="The column holding each child's local id (the file's first column if left out).",
)
def draw_command(
    path: Path,
    size: int,
    seed: str,
    filters: tuple[str, ...],
    strata: str | None,
    id_column: str | None,
) -> None:
    """Draw a cohort from a population file and print the chosen children in order."""
    try:
        with path.open("rb") as handle:
            too_big = size_problem(os.fstat(handle.fileno()).st_size)
            raw = b"" if too_big else handle.read(MAX_BYTES + 1)
    except OSError as error:
        _fail(f"Cannot read {path}:", [error.strerror or str(error)])
    if too_big is not None:
        _fail(f"{path.name} cannot be used:", [str(too_big)])
    try:
        population = read_population(raw, path.name)
    except PopulationError as error:
        _fail(f"{path.name} cannot be used:", [str(problem) for problem in error.problems])
    column = id_column if id_column is not None else population.columns[0]
    mapping = ColumnMapping(local_id=column, name=column)
    try:
        result = draw(population, mapping, size, seed, filters, strata)
    except SamplingError as error:
        _fail("The draw cannot be made:", [str(problem) for problem in error.problems])
    click.echo(f"Population file: {path.name}")
    click.echo(f"Local id column: {column}")
    click.echo(f"Method: {result.method}")
    click.echo(f"Seed: {result.seed}")
    if not result.filters:
        click.echo("Filters: none")
    for item in result.filters:
        click.echo(f"Filter: {item}")
    click.echo(f"Strata: {result.strata or 'none'}")
    if result.allocation:
        shares = ", ".join(
            f"{label}: {places} of {result.stratum_sizes[label]}"
            for label, places in result.allocation.items()
        )
        click.echo(f"Allocation: {shares}")
    click.echo(f"Population size (after filters): {result.population_size}")
    click.echo(f"Fingerprint (SHA-256): {result.fingerprint}")
    # The chosen rows, in draw order: the local id and where the row is in the file.
    for place, (index, local_id) in enumerate(zip(result.chosen, result.chosen_ids, strict=True)):
        click.echo(f"{pseudonym(place)}: {local_id} (row {population.row_number(index)})")
