"""notebooks/walkthrough.ipynb runs top to bottom on the bundled sample clip, outputs stripped."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "walkthrough.ipynb"

nbformat = pytest.importorskip("nbformat", reason="nbformat (dev extra) is not installed")


def test_notebook_is_saved_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


def test_notebook_uses_only_the_public_api():
    text = NOTEBOOK.read_text(encoding="utf-8")
    assert "import analyzer." not in text  # no private module imports by path tricks
    for line in text.splitlines():
        if "from analyzer" in line:
            assert "._" not in line and " _" not in line.split("import", 1)[-1], line


@pytest.mark.slow
def test_notebook_executes(tmp_path, monkeypatch):
    nbclient = pytest.importorskip("nbclient", reason="nbclient (dev extra) is not installed")
    pytest.importorskip("ipykernel", reason="ipykernel (dev extra) is not installed")
    monkeypatch.setenv("BACKPEDAL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    # run the kernel with this interpreter (the project's venv), whatever kernelspecs exist
    client.kernel_manager_class = _venv_kernel_manager()
    client.execute()
    text = "\n".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.get("output_type") == "stream"
    )
    assert "frames at" in text and "overall score" in text
    assert "Finding:" in text
    assert "report.html" in text


def _venv_kernel_manager():
    from jupyter_client.manager import KernelManager

    class VenvKernelManager(KernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            return [sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file]

    return VenvKernelManager
