"""Which traces are dead, and simulated decimation (missing traces on purpose).

A low layer, pure numpy: it imports only numpy and :mod:`seisfill.errors`.

* :mod:`~seisfill.masks.dead` -- :class:`DeadReason` bit flags per trace
  (:func:`dead_reasons`; ``0`` means live) and :func:`slot_live`, the one
  function that turns per-trace reasons into the ``dead_reason`` and ``live``
  arrays of a grid of slots.
* :mod:`~seisfill.masks.rms` -- :func:`rms_outliers`, the robust test behind
  ``DeadReason.RMS_OUTLIER``.
* :mod:`~seisfill.masks.patterns` -- seeded generators of boolean *keep* masks
  (``True`` = trace kept / live) that simulate missing traces.
* :mod:`~seisfill.masks.specs` -- the spec language (``"random50"``,
  ``"gap16x2"``, ``"mix:random30+gap8"``) parsed by :func:`parse_pattern` into
  a callable :class:`Decimation`.
* :mod:`~seisfill.masks.runs` -- :func:`true_runs`, runs of True in a 1-D mask.
* :mod:`~seisfill.masks.mimic` -- :func:`mimic_gaps`, live traces to hide in the
  pattern of the real gaps (the self-check of ``--method auto`` and ``--adapt``).

Note the opposite conventions: in a *reasons* array non-zero means dead, in a
*keep* mask ``True`` means live.  Convert with :func:`live_mask`.
"""

from __future__ import annotations

from seisfill.masks.dead import (
    CONSTANT,
    FLAGGED,
    MISSING,
    NONFINITE,
    RMS_OUTLIER,
    ZERO,
    DeadReason,
    apply_mask,
    dead_reasons,
    describe_reasons,
    live_mask,
    slot_live,
)
from seisfill.masks.mimic import gap_lengths, mimic_gaps
from seisfill.masks.patterns import (
    decimate_dead_channels,
    decimate_gaps,
    decimate_jittered,
    decimate_random,
    decimate_regular,
)
from seisfill.masks.rms import rms_outliers
from seisfill.masks.runs import true_runs
from seisfill.masks.specs import PATTERN_FORMS, Decimation, decimate, decimate_mix, parse_pattern

__all__ = [
    "true_runs",
    "mimic_gaps",
    "gap_lengths",
    "rms_outliers",
    "DeadReason",
    "FLAGGED",
    "ZERO",
    "CONSTANT",
    "NONFINITE",
    "RMS_OUTLIER",
    "MISSING",
    "dead_reasons",
    "live_mask",
    "slot_live",
    "describe_reasons",
    "apply_mask",
    "decimate_random",
    "decimate_regular",
    "decimate_jittered",
    "decimate_gaps",
    "decimate_dead_channels",
    "decimate_mix",
    "Decimation",
    "parse_pattern",
    "decimate",
    "PATTERN_FORMS",
]
