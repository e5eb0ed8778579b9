"""The state of one boosting fit, as small named structures.

``_TrainingData`` (the rows a fit is made on, or those held out for early
stopping, with their weights and routed metadata), ``_StageRows`` (the rows
one stage is fitted on, taken once) and ``_Stages`` (the ensemble being
grown). The loop that uses them is :mod:`ensembles._boosting_stages`'.
"""

from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from ._members import member_input
from ._routing import metadata_rows
from ._sklearn_private import _safe_indexing


@dataclass(frozen=True)
class _TrainingData:
    """Rows of the training data: those the stages are fitted on, or those
    held out for early stopping.

    ``sample_weight`` is the user's weights as given, for the members and
    the initial model (None when none were given: they are then fitted
    without weights); ``loss_weight`` is the same weights as an array, ones
    when none were given, for the losses and line searches. ``call_params``
    go with ``X`` once it is prepared for the members (:meth:`for_members`).
    ``metadata`` and ``init_metadata`` are the metadata routed to the
    members' and the initial estimator's ``fit``, for these rows.
    """

    X: object
    y: np.ndarray
    sample_weight: np.ndarray | None
    loss_weight: np.ndarray
    call_params: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    init_metadata: dict = field(default_factory=dict)

    def rows(self, indices):
        """These rows' ``indices``: X, y, weights and metadata alike."""
        return _TrainingData(
            _safe_indexing(self.X, indices),
            self.y[indices],
            None if self.sample_weight is None else self.sample_weight[indices],
            self.loss_weight[indices],
            metadata=metadata_rows(self.metadata, self.X, indices),
            init_metadata=metadata_rows(self.init_metadata, self.X, indices),
        )

    def for_members(self, estimator):
        """These rows, with ``X`` prepared for members cloned from ``estimator``."""
        X, call_params = member_input(estimator, self.X)
        return replace(self, X=X, call_params=call_params)


class _StageRows(NamedTuple):
    """The training rows one stage is fitted on, taken once: its subsample
    (``indices``, sorted), or every row (``indices`` None)."""

    indices: np.ndarray | None
    y: np.ndarray
    raw: np.ndarray
    loss_weight: np.ndarray

    @classmethod
    def take(cls, indices, train, raw):
        """The rows ``indices`` of ``train`` and of its raw predictions ``raw``."""
        if indices is None:
            return cls(None, train.y, raw, train.loss_weight)
        return cls(indices, train.y[indices], raw[indices], train.loss_weight[indices])

    def of(self, values):
        """``values``, one per training row, on these rows only."""
        return values if self.indices is None else values[self.indices]


@dataclass
class _Stages:
    """The ensemble being grown: its initial model, its stages with their
    steps and scores, and its raw predictions on the training rows and on
    the rows held out for early stopping (None without)."""

    init: object
    raw: np.ndarray
    raw_val: np.ndarray | None
    members: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    train_score: list = field(default_factory=list)
    oob_improvement: list = field(default_factory=list)
    oob_scores: list = field(default_factory=list)
    validation_score: list = field(default_factory=list)
    #: The first stage whose out-of-bag improvement is measured against the
    #: loss before it on its own out-of-bag rows: the first stage, or the
    #: first of a warm start that turned subsampling on (the stages before
    #: it have no out-of-bag score).
    first_oob_stage: int = 0
