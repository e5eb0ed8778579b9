"""The documentation site builds offline with warnings as errors.

Skipped unless the ``docs`` extra (Sphinx, numpydoc, pydata-sphinx-theme,
myst-nb) is installed. The API reference must list every public name.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

import ensembles
from ensembles import datasets, plotting

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _documented():
    """Names listed under an autosummary in docs/api.rst, with the module
    that its ``currentmodule`` set."""
    names, module = set(), None
    for line in (DOCS / "api.rst").read_text().splitlines():
        if m := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = m.group(1)
        elif m := re.match(r"   ([A-Za-z_]\w*)$", line):
            names.add(f"{module}.{m.group(1)}")
    return names


def test_api_reference_lists_every_public_name():
    public = {f"ensembles.{n}" for n in ensembles.__all__}
    public -= {"ensembles.__version__", "ensembles.datasets"}
    public |= {f"ensembles.datasets.{n}" for n in datasets.__all__}
    public |= {
        f"ensembles.plotting.{n}"
        for n, obj in vars(plotting).items()
        if not n.startswith("_")
        and callable(obj)
        and getattr(obj, "__module__", None) == plotting.__name__
    }
    assert public <= _documented()


def test_docs_build_without_warnings(tmp_path):
    for module in ("sphinx", "numpydoc", "pydata_sphinx_theme", "myst_nb"):
        pytest.importorskip(module)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            str(DOCS),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    html = tmp_path / "html"
    for page in ("index", "api", "user_guide", "notebooks", "CHANGELOG"):
        assert (html / f"{page}.html").is_file()
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        rendered = html / "notebooks" / f"{notebook.stem}.html"
        # Rendered from the committed outputs: the figures are there.
        assert "<img" in rendered.read_text()
    assert (html / "generated" / "ensembles.BaggingClassifier.html").is_file()
