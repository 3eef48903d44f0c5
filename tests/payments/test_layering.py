"""Issue 9's design, kept: the payout rules are pure Python in payments/engine/
(no Django, no database), calculation.py only converts stored inputs to engine calls,
the reads for a run live in run_inputs.py (no selectors <-> services import circle),
and imports.py changes reports only through the public services."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES = ("money", "model_a", "model_b", "deliverable")


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports (relative imports resolved within its package)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_the_payout_rules_run_without_django() -> None:
    code = (
        "import sys\n"
        + "".join(f"import payments.engine.{name}\n" for name in RULES)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('django', 'rehab', 'reporting', 'followup'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_calculation_only_converts_to_engine_calls() -> None:
    project = {
        m
        for m in imported_modules(ROOT / "payments" / "calculation.py")
        if m.split(".")[0] in ("django", "rehab", "reporting", "payments")
    }
    assert project and all(m.startswith("payments.engine") for m in project), project


def test_run_reads_have_their_own_module_and_no_import_circle() -> None:
    payments = ROOT / "payments"
    run_inputs = imported_modules(payments / "run_inputs.py")
    selectors = imported_modules(payments / "selectors.py")
    services = imported_modules(payments / "services.py")
    assert "payments.run_inputs.run_inputs_gather" in selectors
    assert "payments.run_inputs.run_inputs_gather" in services
    assert not {m for m in run_inputs if m.startswith(("payments.services", "payments.selectors"))}
    assert not {m for m in selectors if m.startswith("payments.services")}
    assert not {m for m in services if m.startswith("payments.selectors")}
    assert "def run_inputs_gather" not in (payments / "services.py").read_text(encoding="utf-8")


def test_imports_go_through_the_public_services() -> None:
    path = ROOT / "reporting" / "imports.py"
    used = imported_modules(path)
    assert "reporting.services.report_import_drafts" in used
    private = sorted(
        m
        for m in used
        if m.startswith(("reporting.services.", "reporting.workflow."))
        and m.rsplit(".", 1)[-1].startswith("_")
    )
    assert private == []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        # No raw status writes: neither .update(status=...) nor obj.status = ...
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("update", "bulk_update")
        ):
            assert "status" not in {k.arg for k in node.keywords}, ast.unparse(node)
            assert "status" not in " ".join(ast.unparse(a) for a in node.args), ast.unparse(node)
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                assert not (isinstance(target, ast.Attribute) and target.attr == "status"), (
                    ast.unparse(node)
                )
