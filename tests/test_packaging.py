"""Packaging: the version defined once, the declared scikit-learn range,
``python -m ensembles --version``."""

import configparser
import importlib.metadata
from pathlib import Path

import pytest
import sklearn

import ensembles
from ensembles.__main__ import main

ROOT = Path(__file__).resolve().parents[1]


def _install_requires():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    lines = config["options"]["install_requires"].strip().splitlines()
    return [line.strip() for line in lines if line.strip()]


def test_version_is_the_distributions():
    try:
        installed = importlib.metadata.version("scikit-ensembles")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("not installed as the distribution scikit-ensembles")
    assert ensembles.__version__ == installed


def test_version_is_defined_once():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert config["metadata"]["name"] == "scikit-ensembles"
    assert config["metadata"]["version"] == "attr: ensembles._version.__version__"
    assert ensembles.__version__ == ensembles._version.__version__
    assert ensembles.__version__ in (ROOT / "CHANGELOG.md").read_text()


def test_installed_scikit_learn_is_in_the_declared_range():
    requirements = pytest.importorskip("packaging.requirements")
    (line,) = [line for line in _install_requires() if line.startswith("scikit-learn")]
    requirement = requirements.Requirement(line)
    # Both ends bounded: a release outside is untested.
    operators = {spec.operator for spec in requirement.specifier}
    assert {">=", "<"} <= operators, line
    assert requirement.specifier.contains(sklearn.__version__, prereleases=True), (
        f"scikit-learn {sklearn.__version__} is outside {line}"
    )


def test_plot_extra_is_matplotlib_alone():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    extra = config["options.extras_require"]["plot"].strip().splitlines()
    assert [line.split(">")[0].strip() for line in extra] == ["matplotlib"]


def test_version_option(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"ensembles {ensembles.__version__}\n"
