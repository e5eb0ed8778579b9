"""Run scikit-learn's own test files on our classes, as a user would.

Each suite copies one test file from the installed scikit-learn into a
temporary folder, adds one import after its imports so that our classes
replace scikit-learn's (GradientBoosting* through the thin adapter in
``_gb_adapter.py``), and runs it with pytest and scikit-learn's own test
fixtures (``-p sklearn.conftest``). It prints the pass count of each suite
and, with ``--failures``, every failing test with the first line of its
error.

Tests that cannot apply to our classes (they test a parameter or a private
attribute that only scikit-learn's implementation has) are listed in
``NOT_APPLICABLE`` with the reason, and left out of the count.

    python benchmarks/peer_suites.py                 # every suite
    python benchmarks/peer_suites.py stacking --failures
"""

import argparse
import ast
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import sklearn

HERE = Path(__file__).resolve().parent
SKLEARN = Path(sklearn.__file__).resolve().parent


@dataclass
class Suite:
    path: str  # inside the installed scikit-learn
    substitute: str  # the import that replaces scikit-learn's classes
    select: str | None = None  # a pytest -k expression
    # test id prefix -> why it cannot apply to our classes
    not_applicable: dict = field(default_factory=dict)


NOT_APPLICABLE_GB = {
    "test_criterion_param_deprecation": "scikit-learn's deprecated `criterion` "
    "parameter, which ours never had (its trees take any criterion)",
    "test_huber_overfit": "reads scikit-learn's private `_loss.closs.delta`; its "
    "other assertions hold for ours (delta 1.8e-4 < 2e-4, exact fit)",
    "test_max_feature_regression": "calls scikit-learn's private loss object "
    "`_loss(y_true, raw_prediction)` on unencoded labels",
    "test_oob_improvement": "hard-coded values of scikit-learn's random stream "
    "(subsample masks drawn from the RandomState that also seeds the trees); ours "
    "draws each stage's seeds up front, so that results do not depend on n_jobs: "
    "the first three stages agree, then the masks differ",
}

SUITES = {
    "bagging": Suite(
        "ensemble/tests/test_bagging.py",
        "from ensembles import BaggingClassifier, BaggingRegressor",
    ),
    "stacking": Suite(
        "ensemble/tests/test_stacking.py",
        "from ensembles import StackingClassifier, StackingRegressor",
    ),
    # The same file with refit=False as the default: fold-averaging members
    # (k-fold bagging, no refit), to show what that option gives up.
    "stacking_folds": Suite(
        "ensemble/tests/test_stacking.py",
        "from ensembles import StackingClassifier, StackingRegressor\n"
        "for _stack in (StackingClassifier, StackingRegressor):\n"
        "    _stack.__init__.__kwdefaults__['refit'] = False",
    ),
    "gradient_boosting": Suite(
        "ensemble/tests/test_gradient_boosting.py",
        "from _gb_adapter import GradientBoostingClassifier, GradientBoostingRegressor",
        not_applicable=NOT_APPLICABLE_GB,
    ),
    "routing": Suite(
        "tests/test_metaestimators_metadata_routing.py",
        "from ensembles import BaggingClassifier, BaggingRegressor",
        select="Bagging",
    ),
}


def with_substitution(source, substitute):
    """``source`` with ``substitute`` inserted after its top-level imports."""
    tree = ast.parse(source)
    last = max(
        node.end_lineno
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
    )
    lines = source.splitlines(keepends=True)
    marker = "# ensembles: our classes replace scikit-learn's\n"
    return "".join(lines[:last] + ["\n", marker, substitute + "\n"] + lines[last:])


def run_suite(name, suite, workdir):
    """Run one suite; return {test id: (outcome, message)}."""
    source = (SKLEARN / suite.path).read_text()
    test_file = workdir / f"test_peer_{name}.py"
    test_file.write_text(with_substitution(source, suite.substitute))
    (workdir / "pytest.ini").write_text("[pytest]\naddopts =\n")
    report = workdir / f"{name}.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(test_file),
        "-p",
        "sklearn.conftest",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={report}",
        "-W",
        "ignore",
    ]
    if suite.select:
        command += ["-k", suite.select]
    # This checkout's ensembles first (not an installed copy), then the adapter.
    paths = [str(HERE.parent), str(HERE), str(workdir)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
    subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    results = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        test_id = case.get("name")
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            element = case.find(tag)
            if element is not None:
                outcome = "failed" if tag != "skipped" else "skipped"
                message = (element.get("message") or "").splitlines()[:1]
                message = message[0] if message else ""
                break
        results[test_id] = (outcome, message)
    return results


def not_applicable_reason(test_id, suite):
    for prefix, reason in suite.not_applicable.items():
        if test_id == prefix or test_id.startswith(prefix + "["):
            return reason
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suites", nargs="*", choices=[*SUITES, []], default=[])
    parser.add_argument(
        "--failures", action="store_true", help="list every failing test"
    )
    args = parser.parse_args(argv)
    names = args.suites or list(SUITES)
    print(f"# scikit-learn {sklearn.__version__}'s own test files on our classes")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            suite = SUITES[name]
            results = run_suite(name, suite, Path(tmp))
            applicable = {
                test_id: result
                for test_id, result in results.items()
                if not_applicable_reason(test_id, suite) is None
                and result[0] != "skipped"
            }
            passed = sum(outcome == "passed" for outcome, _ in applicable.values())
            n_na = sum(not_applicable_reason(t, suite) is not None for t in results)
            skipped = sum(o == "skipped" for o, _ in results.values())
            print(
                f"{name:<18} {suite.path:<46} {passed:>4} / {len(applicable):<4} passed"
                f"  ({n_na} not applicable, {skipped} skipped by scikit-learn)"
            )
            if args.failures:
                for test_id, (outcome, message) in sorted(applicable.items()):
                    if outcome == "failed":
                        print(f"    FAILED {test_id}: {message[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
