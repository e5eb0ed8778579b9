"""Command line: ``python -m ensembles`` (or ``ensembles``).

Runs the bias/variance experiment on built-in data, or on the user's own
table (``--data FILE --target COLUMN``), and prints which ensemble reduces
which part of the error. Parsing and printing only: the experiment lives in
ensembles._experiment, ensembles._own_data and ensembles.bias_variance.
"""

import argparse
import errno
import functools
import json
import os
import signal
import sys

import numpy as np
from sklearn.pipeline import Pipeline

from . import compare_bias_variance
from ._bias_variance_table import _csv_cell, _csv_value, _json_value
from ._diversity import _reader as _members_reader
from ._experiment import DATASETS, line_up, load_experiment, verdicts
from ._own_data import (
    MAX_CLASS_LABELS,
    TASKS,
    check_line_up,
    decompose_experiment,
    load_estimators,
    table_experiment,
)
from ._version import __version__
from .bias_variance import PROBA_LOSSES

#: More rounds than any experiment needs (the standard errors shrink like
#: 1 / sqrt(rounds)); a larger --rounds is a typo, refused before the
#: memory estimate is even looked at.
MAX_ROUNDS = 1_000_000
#: The share of the machine's memory the decomposition may hold.
MEMORY_SHARE = 0.5


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
    parser.add_argument(
        "--format",
        choices=["text", "csv", "json"],
        default="text",
        help=(
            "text: the table and the verdicts (default); csv: one line per "
            "estimator, a dataset column last; json: an object with dataset, "
            "loss, n_rounds and rows"
        ),
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="print the results only: no progress and no notes on stderr",
    )
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
    try:
        import matplotlib
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        parser.error("--plot needs matplotlib: pip install 'scikit-ensembles[plot]'")
    # savefig picks the format from the extension, in any case.
    extension = os.path.splitext(path)[1][1:].lower()
    supported = sorted(FigureCanvasBase.get_supported_filetypes())
    if extension not in supported:
        parser.error(
            f"--plot needs a file name ending in one of "
            f"{', '.join('.' + name for name in supported)}, got {path!r}"
        )
    _try_opening_for_writing(parser, path)
    matplotlib.use("Agg")


def _try_opening_for_writing(parser, path):
    """Open ``path`` for writing as savefig will, and remove it again if it
    was not there: permissions, read-only file systems and /proc-like
    folders only tell when a file is actually opened."""
    existed = os.path.lexists(path)
    try:
        # Appending: an existing file keeps its content until savefig.
        with open(path, "ab"):
            pass
    except OSError as error:
        parser.error(f"--plot: cannot write {path!r}: {error.strerror}")
    if not existed:
        os.remove(path)


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


def _physical_memory():
    """The machine's memory in bytes, or None where neither sysconf nor
    psutil tells."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows)
        pass
    try:
        import psutil
    except ImportError:
        return None
    return psutil.virtual_memory().total


def _n_members(estimator):
    """How many members' predictions a round keeps for the diversity
    figures (at most: every layer of a stack counted): 0 for an estimator
    that does not combine members."""
    if isinstance(estimator, Pipeline):
        estimator = estimator.steps[-1][1]
    if _members_reader(estimator) is None:
        return 0
    n_estimators = getattr(estimator, "n_estimators", None)
    if isinstance(n_estimators, int):
        return n_estimators
    members = getattr(estimator, "estimators", None) or []
    # A stack's estimators: (name, estimator) pairs, or a list of such
    # lists, one per layer.
    return sum(len(entry) if isinstance(entry, list) else 1 for entry in members)


def _decomposition_bytes(experiment, estimators, n_rounds):
    """About the most memory the decomposition of one estimator holds: its
    test predictions of every round (one per class for a probabilistic
    loss) and, for an ensemble, its members' too; held twice while the
    rounds are stacked into one array. The estimators are decomposed one
    after the other, so the largest counts."""
    width = 1
    if experiment.loss in PROBA_LOSSES:
        width = len(np.unique(np.concatenate([experiment.y_train, experiment.y_test])))
    members = max(_n_members(estimator) for estimator in estimators.values())
    floats_per_round = len(experiment.X_test) * width * (1 + members)
    # 1 KiB a round for its seeds, label and bookkeeping.
    return n_rounds * (2 * 8 * floats_per_round + 1024)


def _check_memory(parser, args, experiment, estimators):
    """Refuse, before anything runs, rounds (or a test set) whose
    predictions would not fit in memory: better one line now than a
    MemoryError (or the machine swapping) after a long wait."""
    memory = _physical_memory()
    if memory is None:
        return
    needed = _decomposition_bytes(experiment, estimators, args.rounds)
    allowed = MEMORY_SHARE * memory
    if needed <= allowed:
        return
    rounds_that_fit = int(allowed // _decomposition_bytes(experiment, estimators, 1))
    parser.error(
        f"--rounds {args.rounds} on {len(experiment.X_test)} test rows would "
        f"hold about {_size(needed)} of predictions, more than half this "
        f"machine's {_size(memory)}; at most {rounds_that_fit} rounds fit"
    )


def _size(n_bytes):
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n_bytes < 1024 or unit == "TiB":
            return (
                f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
            )
        n_bytes /= 1024


def _check_stdout(parser):
    """Refuse to run when the results could not be printed at all: Python
    starts with stdout None when it is closed (``>&-``), and then drops
    whatever is printed silently."""
    if sys.stdout is None or sys.stdout.closed:
        parser.error("standard output is closed: the results would be lost")


def _results(args, experiment, table):
    """The results as printed: text, CSV or JSON, each naming the data set
    and the loss."""
    if args.format == "json":
        document = {
            "dataset": experiment.name,
            "loss": experiment.loss,
            "n_rounds": args.rounds,
            "rows": table.records(),
        }
        return json.dumps(document, indent=2, default=_json_value) + "\n"
    if args.format == "csv":
        # The data set as a last column rather than a comment line, which
        # CSV readers choke on; last, so that the columns keep their places.
        columns = table.record_columns
        lines = [",".join(["name", *columns, "dataset"])]
        for record in table.records():
            cells = [_csv_value(record[column]) for column in columns]
            lines.append(
                ",".join(
                    [_csv_cell(record["name"]), *cells, _csv_cell(experiment.name)]
                )
            )
        return "\n".join(lines) + "\n"
    lines = [_description(args, experiment), "", str(table), "", *verdicts(table)]
    return "\n".join(lines) + "\n"


def _write_results(text):
    """Print the results; a write that fails (disk full, stdout gone) is
    one line on stderr and status 1, not a traceback and lost output."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader went away: _quiet_exits handles it
    except OSError as error:
        _stdout_to_devnull()
        print(
            f"ensembles: error: cannot write the results: {error.strerror or error}",
            file=sys.stderr,
        )
        sys.exit(1)


def _stdout_to_devnull():
    """Point stdout at /dev/null so that the flush at exit does not fail
    again (and print "Exception ignored ...") on what is left buffered."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    finally:
        os.close(devnull)


def _quiet_exits(main):
    """Ctrl-C: status 130 and one line, as a shell reports a program ended
    by SIGINT. A reader that stops early (``| head``): a quiet exit with
    the status of a program ended by SIGPIPE, as ``yes | head`` gives."""

    @functools.wraps(main)
    def guarded(argv=None):
        try:
            return main(argv)
        except KeyboardInterrupt:
            print("ensembles: interrupted", file=sys.stderr)
            return 128 + signal.SIGINT
        except BrokenPipeError:
            _stdout_to_devnull()
            return 128 + getattr(signal, "SIGPIPE", errno.EPIPE)

    return guarded


@_quiet_exits
def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.rounds < 2:
        parser.error(f"--rounds must be at least 2, got {args.rounds}")
    if args.rounds > MAX_ROUNDS:
        parser.error(f"--rounds must be at most {MAX_ROUNDS}, got {args.rounds}")
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
    _check_stdout(parser)

    if args.data is not None:
        experiment, estimators = _own_experiment(parser, args)
        _check_memory(parser, args, experiment, estimators)
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
        _check_memory(parser, args, experiment, estimators)
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

    _write_results(_results(args, experiment, table))
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
        if not args.quiet:
            print(f"plot written to {args.plot}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
