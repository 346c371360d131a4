"""The rules of the house (docs/architecture.md): which app may import which, checked by
import-linter against the contracts in pyproject.toml, lazy imports inside functions included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_contract_of_the_house_is_kept() -> None:
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_a_domain_app_importing_a_page_would_be_caught(tmp_path: Path) -> None:
    """The contracts bite: a copy of the package whose letters app imports the console breaks one."""
    copy = tmp_path / "xinfang"
    subprocess.run(["cp", "-r", str(ROOT / "xinfang"), str(copy)], check=True)
    (copy / "letters" / "leak.py").write_text("from xinfang.console import views_desk  # noqa\n")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(linter), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, check=False,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode != 0
    assert "xinfang.letters.leak -> xinfang.console.views_desk" in result.stdout
