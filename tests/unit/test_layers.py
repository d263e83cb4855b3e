"""The layering of ARCHITECTURE.md holds: the domain imports nothing outside the standard library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "returnflow"


def test_layers_point_inward() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=SRC.parents[1], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_domain_uses_only_the_standard_library() -> None:
    offenders = []
    for path in sorted((SRC / "domain").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                third_party = top not in sys.stdlib_module_names and top not in ("returnflow", "__future__")
                outer_layer = top == "returnflow" and not name.startswith("returnflow.domain")
                if third_party or outer_layer:
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
