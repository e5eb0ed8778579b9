"""Command line: ``python -m ensembles`` (or ``ensembles``).

Runs the bias/variance experiment on built-in data, or on the user's own
table (``--data FILE --target COLUMN``), and prints which ensemble reduces
which part of the error. Parsing and printing only: the experiment lives in
ensembles._experiment, ensembles._own_data and ensembles.bias_variance.
"""

import argparse
import os
import sys

from . import compare_bias_variance
from ._experiment import DATASETS, line_up, load_experiment, verdicts
from ._own_data import (
    MAX_CLASS_LABELS,
    TASKS,
    check_line_up,
    decompose_experiment,
    load_estimators,
    table_experiment,
)


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One clear line on stderr and status 2, as argparse does, without
        # the usage block.
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser():
    parser = _Parser(
        prog="ensembles",
        description=(
            "Bias/variance experiment: a deep tree, bagged deep trees, a stump, "
            "boosted stumps, a stack of them and LightGBM, refitted on many "
            "training sets. Regression data use the squared loss, "
            "classification data the 0-1 loss (Domingos). On built-in data "
            "(--dataset) or on your own table (--data FILE --target COLUMN)."
        ),
    )
    data = parser.add_mutually_exclusive_group()
    data.add_argument(
        "--dataset",
        default="friedman1",
        choices=sorted(DATASETS),
        metavar="NAME",
        help=f"one of {', '.join(sorted(DATASETS))} (default friedman1)",
    )
    data.add_argument(
        "--data",
        metavar="FILE",
        help=(
            "your own table instead: a .csv (or .csv.gz, .tsv) or .parquet file "
            "(needs pandas; Parquet needs pyarrow), held out in part as the test "
            "set, the rest bootstrapped; text columns are one-hot encoded, "
            "missing values imputed"
        ),
    )
    parser.add_argument(
        "--target", metavar="COLUMN", help="with --data: the column to predict"
    )
    parser.add_argument(
        "--task",
        choices=TASKS,
        help=(
            "with --data (default: told from the target): classification for a "
            "non-numeric target or one of whole numbers with at most "
            f"{MAX_CLASS_LABELS} distinct values, regression otherwise"
        ),
    )
    parser.add_argument(
        "--test-size",
        type=float,
        metavar="SHARE",
        help=(
            "with --data: share of the rows held out as the test set, stratified "
            "for classification (default 0.3)"
        ),
    )
    parser.add_argument(
        "--estimators",
        metavar="FILE.py|MODULE:NAME",
        help=(
            "your own line-up instead of the built-in one: a Python file that "
            "defines ESTIMATORS, a dict of name -> estimator, or an importable "
            "module's dict NAME"
        ),
    )
    parser.add_argument(
        "--rounds", type=int, default=50, help="training sets per learner (default 50)"
    )
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=-1,
        help="rounds fitted at once (default -1: all cores)",
    )
    parser.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the data and the rounds, 0 to 2**32 - 2 (default 0)",
    )
    parser.add_argument(
        "--plot",
        metavar="FILE.png|svg|pdf",
        help=(
            "also save a bar chart of the decomposition, in the format of the "
            "file's extension: any that matplotlib writes (png, svg, pdf, ...)"
        ),
    )
    parser.add_argument("--format", choices=["text", "csv", "json"], default="text")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    from ._version import __version__

    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    return parser


def _check_plot_file(parser, path):
    """Refuse (with a parser error) a ``--plot`` file that cannot be written:
    no matplotlib, an extension matplotlib does not write, no such folder, a
    folder, no write permission. Before the experiment, so that a mistake
    costs no run."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        parser.error(f"--plot: no folder {folder!r} to write {path!r} in")
    if os.path.isdir(path):
        parser.error(f"--plot: {path!r} is a folder")
    if not os.access(folder, os.W_OK):
        parser.error(f"--plot: cannot write in the folder {folder!r}")
    try:
        import matplotlib
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        parser.error("--plot needs matplotlib: pip install 'ensembles[notebooks]'")
    # savefig picks the format from the extension, in any case.
    extension = os.path.splitext(path)[1][1:].lower()
    supported = sorted(FigureCanvasBase.get_supported_filetypes())
    if extension not in supported:
        parser.error(
            f"--plot needs a file name ending in one of "
            f"{', '.join('.' + name for name in supported)}, got {path!r}"
        )
    matplotlib.use("Agg")


def _check_data_options(parser, args):
    """The options of --data only with it, and --target with it."""
    if args.data is None:
        for option in ("target", "task", "test_size"):
            if getattr(args, option) is not None:
                flag = "--" + option.replace("_", "-")
                parser.error(f"{flag} goes with --data FILE")
        return
    if args.target is None:
        parser.error("--data needs --target COLUMN, the column to predict")
    if args.test_size is None:
        args.test_size = 0.3
    if not 0 < args.test_size < 1:
        parser.error(f"--test-size must be a share in (0, 1), got {args.test_size}")


def _line_up(parser, args, experiment):
    """The built-in line-up, or the one --estimators names, checked against
    the task: one line and status 2 for one that is not a dict of
    estimators of the task's kind."""
    if args.estimators is None:
        return line_up(experiment.classification)
    task = "classification" if experiment.classification else "regression"
    try:
        return check_line_up(
            load_estimators(args.estimators),
            task,
            source=f"--estimators: {args.estimators}",
        )
    except (ValueError, OSError) as error:
        parser.error(str(error))


def _own_experiment(parser, args):
    """The user's table split for the experiment, and the line-up; any
    mistake in the table or the options is one line and status 2, before
    anything runs."""
    try:
        experiment = table_experiment(
            args.data,
            args.target,
            task=args.task or "auto",
            test_size=args.test_size,
            random_state=args.random_state,
        )
    except (ValueError, OSError, ImportError) as error:
        parser.error(f"--data: {error}")
    return experiment, _line_up(parser, args, experiment)


def _description(args, experiment):
    """What the table was made from: the data, the split, the loss and the
    rounds (and for a user's table, the task and the features)."""
    if args.data is None:
        sampling = (
            "fresh training sets from the generator"
            if experiment.y_test_true is not None
            else "bootstrap samples of the training half"
        )
        return (
            f"{args.dataset}: {len(experiment.X_train)} training rows, "
            f"{len(experiment.X_test)} test rows, {experiment.loss} loss, "
            f"{args.rounds} rounds ({sampling})"
        )
    lines = [
        f"{experiment.name}: {len(experiment.X_train)} training rows, "
        f"{len(experiment.X_test)} test rows, {experiment.loss} loss, "
        f"{args.rounds} rounds (bootstrap samples of the training part)",
        f"target {experiment.target!r}: {experiment.task} "
        f"({experiment.task_reason}); features: "
        f"{len(experiment.numeric_features)} numeric, "
        f"{len(experiment.categorical_features)} categorical (one-hot)",
    ]
    if experiment.n_rows_without_target:
        lines.append(
            f"{experiment.n_rows_without_target} rows without a target left out"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.rounds < 2:
        parser.error(f"--rounds must be at least 2, got {args.rounds}")
    if args.n_jobs == 0:
        parser.error("--n-jobs must not be 0")
    if not 0 <= args.random_state < 2**32 - 1:
        # The test data are drawn with random_state + 1.
        parser.error(
            f"--random-state must be in [0, 2**32 - 2], got {args.random_state}"
        )
    _check_data_options(parser, args)
    if args.plot is not None:
        _check_plot_file(parser, args.plot)

    if args.data is not None:
        experiment, estimators = _own_experiment(parser, args)
        table = decompose_experiment(
            experiment,
            estimators,
            n_rounds=args.rounds,
            random_state=args.random_state,
            n_jobs=args.n_jobs,
            verbose=0 if args.quiet else 1,
        )
    else:
        experiment = load_experiment(args.dataset, args.random_state)
        estimators = _line_up(parser, args, experiment)
        table = compare_bias_variance(
            estimators,
            experiment.X_train,
            experiment.y_train,
            experiment.X_test,
            experiment.y_test,
            loss=experiment.loss,
            n_rounds=args.rounds,
            sampling=experiment.sampling,
            y_test_true=experiment.y_test_true,
            random_state=args.random_state,
            n_jobs=args.n_jobs,
            verbose=0 if args.quiet else 1,
        )

    if args.format == "json":
        print(table.to_json())
    elif args.format == "csv":
        print(table.to_csv(), end="")
    else:
        print(_description(args, experiment) + "\n")
        print(table)
        print()
        for line in verdicts(table):
            print(line)
    if args.plot:
        import matplotlib.pyplot as plt

        # The figure lays itself out (legend outside the axes included).
        ax = table.plot()
        try:
            ax.figure.savefig(args.plot, dpi=120)
        except (OSError, RuntimeError) as error:
            # RuntimeError: a format whose writer needs a missing program
            # (pgf needs LaTeX).
            parser.error(f"--plot: cannot write {args.plot!r}: {error}")
        finally:
            # main may run many times in one process (tests, notebooks).
            plt.close(ax.figure)
        print(f"plot written to {args.plot}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
