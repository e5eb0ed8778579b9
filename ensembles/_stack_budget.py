"""A stack's time budget: ``time_limit``.

With a time limit, a layer's fits run member by member and repeat by
repeat (every member's first repeat, then the second repeats, ...), each
unit's folds in one parallel batch, in the order of the members (the
default line-up lists them by value per second). Before a unit runs,
:class:`TimeBudget` predicts its wall time, from the unit's own first
repeat when it has one and otherwise from the member's relative cost and
the seconds per unit of cost measured so far; a unit that would end
after the layer's share of the budget is skipped and the verbose output
says so. A layer's first unit always runs, so every fitted layer has a
member and the stack is always valid; a layer above the first is left
out altogether when its first unit cannot fit in what remains.
"""

import sys
import time

from joblib import effective_n_jobs

__all__ = ["TimeBudget"]

# Kept back for the final estimator (ensemble selection: a fraction of a
# second) and the stack's own bookkeeping.
FINAL_RESERVE = 0.03


class TimeBudget:
    """The time left of a stack's fit, and what fits in it.

    Parameters
    ----------
    time_limit : float
        Seconds for the whole fit.
    n_jobs : int or None
        The stack's ``n_jobs``: how many fits run at once.
    verbose : int
        Whether to say what was skipped and why (on stderr, with verbose
        >= 1).
    """

    def __init__(self, time_limit, n_jobs, verbose):
        self.time_limit = time_limit
        self.start = time.perf_counter()
        self.n_workers = max(1, effective_n_jobs(n_jobs))
        self.verbose = verbose
        self._work = 0.0  # cost x tasks of the units run so far
        self._worker_seconds = 0.0  # their wall time x busy workers
        self.layer_end = self.start + time_limit
        self.skipped = {}  # member name -> why

    def elapsed(self):
        return time.perf_counter() - self.start

    def remaining(self):
        return self.start + self.time_limit * (1 - FINAL_RESERVE) - time.perf_counter()

    def open_layer(self, cost_here, cost_above):
        """Give the layer about to be fitted its share of the time left:
        in proportion to the relative cost of its members, against that of
        the layers above."""
        share = cost_here / max(cost_here + cost_above, 1e-12)
        self.layer_end = time.perf_counter() + max(self.remaining(), 0.0) * share

    def _busy(self, n_tasks):
        return min(self.n_workers, n_tasks)

    def predict(self, cost, n_tasks):
        """Predicted wall seconds of ``n_tasks`` fits of relative ``cost``
        each; None before anything was measured."""
        if self._work == 0:
            return None
        per_cost = self._worker_seconds / self._work
        return cost * per_cost * n_tasks / self._busy(n_tasks)

    def record(self, cost, n_tasks, seconds):
        """Learn from a unit of ``n_tasks`` fits of relative ``cost`` that
        took ``seconds``."""
        self._work += cost * n_tasks
        self._worker_seconds += seconds * self._busy(n_tasks)

    def one_fit(self, seconds, n_tasks):
        """The wall time of one of the ``n_tasks`` fits that together took
        ``seconds`` (a refit's, about)."""
        return seconds * self._busy(n_tasks) / n_tasks

    def batch_seconds(self, fit_seconds):
        """The wall time of fits of ``fit_seconds`` each, run in one
        parallel batch (0 for none)."""
        if not fit_seconds:
            return 0.0
        return sum(fit_seconds) / self._busy(len(fit_seconds))

    def fits_in_layer(self, seconds):
        """Whether a unit predicted to take ``seconds`` ends in the layer's
        share (None, unknown: it does)."""
        return seconds is None or time.perf_counter() + seconds <= self.layer_end

    def fits_in_total(self, seconds):
        """Whether a unit predicted to take ``seconds`` ends within the
        whole budget."""
        return seconds is None or seconds <= self.remaining()

    def skip(self, name, note, message):
        """Record that a unit of member ``name`` was skipped (``note``, for
        the leaderboard) and, with verbose, say why (``message``)."""
        self.skipped.setdefault(name, note)
        self.say(f"skipped {message}")

    def say(self, message):
        if self.verbose:
            print(
                f"[time_limit={self.time_limit:g}s, {self.elapsed():.1f}s used] "
                f"{message}",
                file=sys.stderr,
            )
