"""Where the ledger lives."""

from __future__ import annotations

from pathlib import Path

import pytest

from engage_cli.paths import ledger_path


def test_ledger_path_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ENGAGE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert ledger_path() == tmp_path / "xdg" / "engage" / "ledger.db"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert ledger_path() == tmp_path / "home" / ".local" / "share" / "engage" / "ledger.db"
    monkeypatch.setenv("ENGAGE_DB", str(tmp_path / "env.db"))
    assert ledger_path() == tmp_path / "env.db"
    assert ledger_path(str(tmp_path / "opt.db")) == tmp_path / "opt.db"
