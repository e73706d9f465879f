"""Write the synthetic survey of :mod:`seisfill.synthetic.survey` to a SEG-Y rev 1 file.

Gather by gather (constant memory), with a textual header that describes the
survey, a full binary header and a summary of what was written.
"""

from __future__ import annotations

import os
import time as _time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import segyio

from seisfill.errors import SeisfillError
from seisfill.synthetic._common import _resolve_seed
from seisfill.synthetic.survey import _FORMAT_DTYPES, _iter_gathers, _plan_survey, _SurveyPlan

__all__ = ["SyntheticSegySummary", "write_synthetic_segy"]


#: trace-header words written, in this order (segyio.TraceField names)
_HEADER_WORDS = (
    "TRACE_SEQUENCE_LINE",
    "TRACE_SEQUENCE_FILE",
    "FieldRecord",
    "TraceNumber",
    "EnergySourcePoint",
    "CDP",
    "CDP_TRACE",
    "TraceIdentificationCode",
    "NSummedTraces",
    "NStackedTraces",
    "DataUse",
    "offset",
    "ReceiverGroupElevation",
    "SourceSurfaceElevation",
    "ElevationScalar",
    "SourceGroupScalar",
    "SourceX",
    "SourceY",
    "GroupX",
    "GroupY",
    "CoordinateUnits",
    "CDP_X",
    "CDP_Y",
    "TRACE_SAMPLE_COUNT",
    "TRACE_SAMPLE_INTERVAL",
    "ShotPoint",
)


@dataclass
class SyntheticSegySummary:
    """What :func:`write_synthetic_segy` wrote.

    Attributes
    ----------
    path : Path
    n_traces : int
        Traces in the file (slots minus dropped).
    n_gathers, traces_per_gather, nt : int
    dt : float
    sample_format : int
    endian : str
    dead_traces : ndarray (n_dead,) int64
        Sorted 0-based file indices of the dead (all-zero) traces.
    dead_flagged : ndarray (n_dead,) bool
        True where the dead trace also has TraceIdentificationCode 2.
    dropped : ndarray (n_dropped, 2) int64
        ``(gather index 0-based, channel 1-based)`` of each omitted slot.
    int_scale : float or None
        Integer formats: file value = round(amplitude * int_scale).
    seconds : float
        Wall time of the write.
    bytes : int
        File size.
    seed : int or None
    """

    path: Path
    n_traces: int
    n_gathers: int
    traces_per_gather: int
    nt: int
    dt: float
    sample_format: int
    endian: str
    dead_traces: np.ndarray
    dead_flagged: np.ndarray
    dropped: np.ndarray
    int_scale: float | None
    seconds: float = 0.0
    bytes: int = 0
    seed: int | None = None

    @property
    def dead_flagged_traces(self) -> np.ndarray:
        """File indices of dead traces with TraceIdentificationCode 2."""
        return self.dead_traces[self.dead_flagged]

    @property
    def dead_unflagged_traces(self) -> np.ndarray:
        """File indices of all-zero traces still marked live (code 1)."""
        return self.dead_traces[~self.dead_flagged]


def _text_header(
    plan: _SurveyPlan, endian: str, dead_fraction: float, drop_fraction: float, spread: str
) -> str:
    fmt_name = {1: "IBM FLOAT", 2: "INT32", 3: "INT16", 5: "IEEE FLOAT", 8: "INT8"}[
        plan.sample_format
    ]
    lines = {
        1: "SEISFILL SYNTHETIC SEISMIC DATA - NOT A REAL SURVEY",
        2: f"SEED {plan.seed}  GENERATOR SEISFILL.SYNTHETIC",
        3: f"2D LINE, SHOT GATHERS: {plan.n_gathers} SHOTS X {plan.tpg} CHANNELS, SORTED BY SHOT",
        4: f"SAMPLES {plan.nt}  INTERVAL {int(round(plan.dt * 1e6))} US  FORMAT {plan.sample_format} ({fmt_name})",
        5: f"BYTE ORDER {endian.upper()}  SEG-Y REV 1  FIXED LENGTH TRACES",
        6: f"SPREAD {spread.upper()}  GROUP INTERVAL {plan.dx:g} M  SHOT INTERVAL "
        f"{float(plan.source_x[1] - plan.source_x[0]) if plan.n_gathers > 1 else 0.0:g} M",
        7: "SOURCEX/Y GROUPX/Y (73-88) CDP_X/Y (181-188) IN CM: SCALAR (71) = -100",
        8: "ELEVATIONS (41-48) IN CM: ELEVATIONSCALAR (69) = -100, METRES ABOVE DATUM",
        9: "OFFSET (37) SIGNED, WHOLE METRES (RECEIVER X MINUS SOURCE X)",
        10: "FFID (9) SHOT NUMBER, TRACENUMBER (13) CHANNEL 1..N, EP (17) SOURCE STATION",
        11: "CDP (21) MIDPOINT BIN (HALF GROUP INTERVAL), CDP_TRACE (25) COUNT IN CDP",
        12: f"DEAD TRACES {dead_fraction:.4f} OF TRACES: ALL-ZERO SAMPLES; HALF (ROUNDED UP)",
        13: "  HAVE TRACE ID (29) = 2, THE OTHER HALF KEEP TRACE ID 1 (DETECT BY CONTENT)",
        14: f"MISSING CHANNELS {drop_fraction:.4f} OF SLOTS OMITTED: GAPS IN TRACENUMBER",
        15: "AMPLITUDES: POOL OF MODELLED GATHERS (LAYERED MODEL, AVO, MULTIPLES,",
        16: "  REFRACTIONS, GROUND ROLL) WITH PER-SHOT GAIN/POLARITY/SHIFT AND NOISE",
        40: "END TEXTUAL HEADER",
    }
    if plan.int_scale is not None:
        lines[17] = f"INTEGER SAMPLES = ROUND(AMPLITUDE * {plan.int_scale:.6g})"
    return segyio.tools.create_text_header({k: v[:76] for k, v in lines.items()})


def write_synthetic_segy(
    path: str | os.PathLike[str],
    n_gathers: int = 10,
    traces_per_gather: int = 96,
    nt: int = 1000,
    dt: float = 0.002,
    seed: int | None = 0,
    *,
    sample_format: int = 5,
    endian: Literal["big", "little"] = "big",
    dead_fraction: float = 0.0,
    drop_fraction: float = 0.0,
    spread: Literal["split", "end"] = "split",
    dx: float = 25.0,
    shot_spacing: float | None = None,
    pool_size: int = 8,
    noise_snr_db: float | tuple[float, float] | None = (10.0, 30.0),
    random_polarity: bool = True,
    max_shift: int = 4,
    first_ffid: int = 1001,
    gather_kwargs: Mapping[str, Any] | None = None,
) -> SyntheticSegySummary:
    """Write a synthetic 2-D multi-shot SEG-Y file, gather by gather (constant memory).

    Amplitudes: ``pool_size`` noise-free gathers are modelled once with
    :func:`synthetic_gather` (survey-wide knobs and wavelet drawn by
    :func:`random_gather_params` / :func:`random_wavelet` from ``seed``, then
    ``gather_kwargs`` applied on top), plus as many unit-rms noise panels.
    Each shot takes a random pool gather, a random gain (+-3 dB), polarity
    (if ``random_polarity``) and integer time shift (``+-max_shift``
    samples), plus a randomly rolled band-limited noise panel scaled to the
    shot's SNR (measured, as in :func:`synthetic_gather`, against the
    reflected signal of the pool gather, before dead traces are zeroed).

    Geometry: a straight line along x (SourceY = GroupY = 6 200 000 m),
    shot ``g`` at ``x = 500 000 + max|offset| + g * shot_spacing`` m, spread
    from :func:`make_offsets` (``spread``, ``dx``) rolling with the shot,
    smooth topography.

    Header words (byte): TRACE_SEQUENCE_LINE (1) and TRACE_SEQUENCE_FILE (5)
    = 1..n in file order; FieldRecord (9) = ``first_ffid + g``; TraceNumber
    (13) = channel 1..traces_per_gather (gaps where dropped);
    EnergySourcePoint (17) and ShotPoint (197) = source station (1001 + x /
    dx); CDP (21) = midpoint bin of width dx/2 counted from 1; CDP_TRACE (25)
    = running count within that CDP; TraceIdentificationCode (29) 1 or 2;
    offset (37) signed, rounded to whole metres; ReceiverGroupElevation (41),
    SourceSurfaceElevation (45) in cm with ElevationScalar (69) = -100;
    SourceX/SourceY/GroupX/GroupY (73-88) in cm with SourceGroupScalar (71)
    = -100 (metres = stored / 100); CoordinateUnits (89) = 1; CDP_X/CDP_Y
    (181, 185) midpoint in cm (same scalar);
    TRACE_SAMPLE_COUNT (115); TRACE_SAMPLE_INTERVAL (117, us).  Binary
    header: Interval, IntervalOriginal, Samples, SamplesOriginal, Format,
    Traces = traces_per_gather, AuxTraces = 0, EnsembleFold =
    traces_per_gather, SortingCode = 5 (common source point),
    MeasurementSystem = 1 (metres), SEGYRevision 1.0, TraceFlag = 1
    (fixed length).

    Dead and missing traces: ``n_drop = round(drop_fraction * n_gathers *
    traces_per_gather)`` slots (seeded) are not written at all, leaving gaps
    in TraceNumber.  Of the ``n`` traces written, ``n_dead =
    round(dead_fraction * n)`` (seeded) have all-zero samples; ``ceil(n_dead
    / 2)`` of those carry TraceIdentificationCode 2, the other
    ``floor(n_dead / 2)`` keep code 1 (only their content says they are
    dead).  Every other trace has code 1.

    Parameters
    ----------
    path : str or PathLike
        Output file (overwritten).
    n_gathers, traces_per_gather, nt : int
    dt : float
        Sample interval, s (a whole number of microseconds).
    seed : int, optional
        Same arguments and seed give a byte-identical file; None draws one
        (written in the textual header and the summary).
    sample_format : {1, 2, 3, 5, 8}
        IBM float, int32, int16, IEEE float, int8.  Integer formats store
        ``round(amplitude * int_scale)`` (see the summary), peak at about half
        the range (at most 2**23 so float32 holds it exactly).
    endian : {"big", "little"}
    dead_fraction, drop_fraction : float
        In [0, 1).
    spread, dx : see :func:`make_offsets`.
    shot_spacing : float, optional
        Default ``2 dx``.
    pool_size : int
        Number of modelled gathers (and noise panels).
    noise_snr_db : float, (float, float) or None
        Fixed SNR, a uniform range drawn per shot, or no noise.
    random_polarity : bool
    max_shift : int
        Largest per-shot time shift, samples.
    first_ffid : int
    gather_kwargs : mapping, optional
        Overrides for the pool gathers (any :func:`synthetic_gather` keyword,
        e.g. ``{"ground_roll": True, "wavelet": 30.0}``).

    Returns
    -------
    SyntheticSegySummary
    """
    if endian not in ("big", "little"):
        raise SeisfillError(f"endian must be 'big' or 'little', got {endian!r}")
    start = _time.perf_counter()
    seed = _resolve_seed(seed)
    plan = _plan_survey(
        n_gathers,
        traces_per_gather,
        nt,
        dt,
        seed,
        sample_format=sample_format,
        dead_fraction=dead_fraction,
        drop_fraction=drop_fraction,
        spread=spread,
        dx=dx,
        shot_spacing=shot_spacing,
        pool_size=pool_size,
        noise_snr_db=noise_snr_db,
        random_polarity=random_polarity,
        max_shift=max_shift,
        first_ffid=first_ffid,
        gather_kwargs=gather_kwargs,
    )
    path = Path(path)
    dt_us = int(round(dt * 1e6))
    spec = segyio.spec()
    spec.format = sample_format
    spec.samples = np.arange(nt) * (dt_us / 1000.0)
    spec.tracecount = plan.n_written
    spec.endian = endian
    keys = [int(getattr(segyio.TraceField, w)) for w in _HEADER_WORDS]
    out_dtype = _FORMAT_DTYPES[sample_format]
    shots = _iter_gathers(plan)
    first = next(shots, None)  # builds the pool, which fixes int_scale for the text header
    with segyio.create(str(path), spec) as f:
        f.text[0] = _text_header(plan, endian, dead_fraction, drop_fraction, spread)
        b = segyio.BinField
        f.bin.update(
            {
                b.Interval: dt_us,
                b.IntervalOriginal: dt_us,
                b.Samples: nt,
                b.SamplesOriginal: nt,
                b.Format: sample_format,
                b.Traces: traces_per_gather,
                b.AuxTraces: 0,
                b.EnsembleFold: traces_per_gather,
                b.SortingCode: 5,
                b.MeasurementSystem: 1,
                b.SEGYRevision: 1,
                b.SEGYRevisionMinor: 0,
                b.TraceFlag: 1,
            }
        )
        shot = first
        while shot is not None:
            n = shot.data.shape[0]
            if n:
                a, z = shot.first_trace, shot.first_trace + n
                table = np.column_stack([shot.headers[w] for w in _HEADER_WORDS]).tolist()
                f.header[a:z] = [dict(zip(keys, row, strict=True)) for row in table]
                f.trace[a:z] = shot.data.astype(out_dtype)
            shot = next(shots, None)
    kept = plan.kept
    dropped = np.argwhere(~kept)
    dropped[:, 1] += 1
    dead_idx = np.flatnonzero(plan.dead)
    return SyntheticSegySummary(
        path=path,
        n_traces=plan.n_written,
        n_gathers=n_gathers,
        traces_per_gather=traces_per_gather,
        nt=nt,
        dt=dt,
        sample_format=sample_format,
        endian=endian,
        dead_traces=dead_idx.astype(np.int64),
        dead_flagged=plan.trace_id[dead_idx] == 2,
        dropped=dropped.astype(np.int64),
        int_scale=plan.int_scale,
        seconds=_time.perf_counter() - start,
        bytes=path.stat().st_size,
        seed=seed,
    )
