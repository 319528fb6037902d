"""`make bench` keeps working: a tiny run prints a figure for every page it names."""

from __future__ import annotations

import pytest

from scripts import bench


def test_a_tiny_bench_prints_every_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--children", "1", "2", "--repeats", "1", "--agencies", "2"]) == 0
    out = capsys.readouterr().out
    ids = {"member": 1, "theme": 1, "survey": 1, "finding": 1}
    names = list(bench.pages(bench.Built(1, 1, "", "", "", 0.0, ids)))
    names += [
        "verify draw (POST)",
        "workbook upload preview (POST)",
        "workbook confirm (POST), once",
    ]
    for name in names:
        assert f"\n{name} " in out.replace(name + "  ", name + " "), name
    assert "workbook download:" in out and "times (goal at most 1.5)" in out
    assert "holding the write lock" in out
