"""Sphinx configuration for the scikit-ensembles documentation.

Built offline: no intersphinx, no notebook execution (the notebooks are
rendered with the outputs committed in ``notebooks/``).
"""

import os
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, os.fspath(ROOT))

import ensembles  # noqa: E402

project = "scikit-ensembles"
author = "scikit-ensembles developers"
copyright = "scikit-ensembles developers"
version = release = ensembles.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
]

# The notebooks live in ../notebooks; a source must sit inside this
# directory, so copy them here (docs/notebooks/ is gitignored) before the
# build reads its sources.
_nb_src = ROOT / "notebooks"
_nb_dst = HERE / "notebooks"
_nb_dst.mkdir(exist_ok=True)
for _old in _nb_dst.glob("*.ipynb"):
    if not (_nb_src / _old.name).exists():
        _old.unlink()
for _nb in sorted(_nb_src.glob("*.ipynb")):
    shutil.copy2(_nb, _nb_dst / _nb.name)

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
templates_path = ["_templates"]

# autodoc / autosummary: stubs generated from the docstrings at build time.
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"

# numpydoc renders the Parameters/Returns sections; autosummary lists the
# members, so numpydoc's own member tables would only duplicate them.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# MyST: anchors for the README's "#section" links; the notebooks are
# rendered as committed, never executed.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]
nb_execution_mode = "off"
nb_merge_streams = True

html_theme = "pydata_sphinx_theme"
html_title = f"scikit-ensembles {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = []


# Members inherited from scikit-learn (score, get_params, set_output, the
# set_*_request methods) carry docstrings that point into scikit-learn's own
# documentation (:ref: labels, :term: glossary entries) which does not exist
# here and cannot be fetched offline: render those roles as plain text.
# Only scikit-learn's docstrings are rewritten; a broken reference in ours
# still fails the -W build.
_ROLE = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<[^`>]*>)?`")


def _plain_sklearn_roles(app, what, name, obj, options, lines):
    if not (getattr(obj, "__module__", None) or "").startswith("sklearn"):
        return
    text = _ROLE.sub(lambda m: f"*{m.group(1).strip()}*", "\n".join(lines))
    lines[:] = text.split("\n")


def setup(app):
    app.connect("autodoc-process-docstring", _plain_sklearn_roles, priority=400)
