"""The notebook handout: valid nbformat 4, and it runs top to bottom in a real kernel."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from nbclient import NotebookClient

from derive.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def notebook_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("notebook")
    result = CliRunner().invoke(
        cli, ["handout", "--out", str(folder), "--format", "ipynb", "--title", "A *title* #1"]
    )
    assert result.exit_code == 0, result.output
    return folder / "handout.ipynb"


def test_the_notebook_is_valid_nbformat_with_a_cell_pair_per_step(notebook_path: Path) -> None:
    notebook = nbformat.read(notebook_path, as_version=4)
    nbformat.validate(notebook)
    headings = [c.source for c in notebook.cells if c.cell_type == "markdown"][1:]
    assert len(headings) == 19
    assert headings[16].startswith(
        "## Step 17. The gradient with respect to $\\boldsymbol{\\beta}$"
    )
    assert notebook.cells[0].source.startswith("# A \\*title\\* \\#1")


def test_the_notebook_is_the_same_on_every_run(notebook_path: Path, tmp_path: Path) -> None:
    CliRunner().invoke(
        cli, ["handout", "--out", str(tmp_path), "--format", "ipynb", "--title", "A *title* #1"]
    )
    assert (tmp_path / "handout.ipynb").read_bytes() == notebook_path.read_bytes()
    assert json.loads(notebook_path.read_text())["nbformat"] == 4


def test_the_notebook_runs_without_errors_in_a_kernel(notebook_path: Path) -> None:
    notebook = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    results = [o for o in outputs if o.output_type == "execute_result"]
    checks = [o.data["text/plain"] for o in results if "symbolic" in o.data["text/plain"]]
    assert len(checks) == 19
    assert all(c == "{'symbolic': True, 'explicit': True, 'numeric': True}" for c in checks)
    assert "text/html" in results[0].data  # the derivation shows itself as HTML


def test_the_chinese_notebook_is_chinese_when_it_runs(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["handout", "--out", str(tmp_path), "--format", "ipynb", "--lang", "zh"]
    )
    assert result.exit_code == 0, result.output
    notebook = nbformat.read(tmp_path / "handout.ipynb", as_version=4)
    headings = [c.source for c in notebook.cells if c.cell_type == "markdown"][1:]
    assert headings[0].startswith("## 第 1 步 ")
    client = NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = "".join(o.data.get("text/html", "") for o in outputs if "data" in o)
    assert "第 17 步" in shown
    assert "Step 17" not in shown


def test_a_fit_and_a_check_show_themselves_in_jupyter() -> None:
    import numpy as np

    import derive

    fitted = derive.fit(np.array([[0, 1], [1, 0], [2, 2], [3, 1.0]]), np.array([2, 2, 6, 5.0]))
    shown = fitted._repr_markdown_()
    assert shown.startswith("**Gradient descent")
    assert "| $\\alpha$ | 0.75 |" in shown
    checked = derive.check_gradient("1/m (yhat - y)^T X", "beta")
    shown = checked._repr_markdown_()
    assert shown.startswith("**✗ not-equivalent [factor]**")
    assert "$$- \\frac{2}{m} \\mathbf{u}^{\\top} \\mathbf{X}$$" in shown
