"""A partnership's own SMART word lists are read when the service starts: a broken file
stops it with a message naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from audit_app import create_app
from audit_app.core.config import ConfigError


def test_a_broken_word_list_stops_the_start(app: Flask, tmp_path: Path) -> None:
    broken = tmp_path / "words.yaml"
    broken.write_text("weak_wording: remind\n")
    with pytest.raises(ConfigError, match=r"AUDIT_SMART_WORDS: .*must be a list"):
        create_app({"TESTING": True, "AUDIT_SMART_WORDS": str(broken)})
    mine = tmp_path / "mine.yaml"
    mine.write_text("weak_wording: [signpost]\ncomparisons: []\nnumber_words: []\nnot_verbs: []\n")
    assert create_app({"TESTING": True, "AUDIT_SMART_WORDS": str(mine)}) is not None
