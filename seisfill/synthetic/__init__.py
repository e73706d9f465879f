"""Seeded synthetic seismic data: wavelets, gathers, sections, cubes and SEG-Y files.

Everything here is pure numpy/scipy and deterministic: the same ``seed`` gives
bit-identical arrays (and bytes on disk); each generator draws one independent
random stream per component, so switching one component on or off leaves the
others unchanged.  Arrays are float32 and shaped ``(trace, time)``, cubes
``(inline, crossline, time)``; time is in seconds from 0 (``arange(nt) * dt``),
offsets and coordinates in metres, velocities in m/s.

Modules
-------
wavelets
    Source wavelets: :func:`ricker`, :func:`ormsby`, :func:`minimum_phase`,
    :func:`phase_rotate`, :func:`random_wavelet`.
events
    Sub-sample event placement, convolution with a wavelet, band-limited
    noise at an exact SNR (private building blocks of the generators).
earth
    Gather offsets (:func:`make_offsets`) and the 1-D layered earth
    (:func:`layered_model`).
gathers
    Pre-stack shot or CDP gathers (:func:`synthetic_gather`) with AVO,
    multiples, refractions, ground roll, statics, mute and noise;
    :func:`random_gather` draws every knob, for training variety.
sections
    Post-stack 2-D lines and 3-D cubes (:func:`synthetic_section`,
    :func:`synthetic_cube`): folded, dipping, faulted horizons, diffractions.
survey
    A multi-shot 2-D survey, shot by shot, with geometry headers, dead and
    missing traces (:func:`iter_synthetic_segy_gathers`).
segy_writer
    That survey written to a SEG-Y file of any size (:func:`write_synthetic_segy`).
_common
    Seed streams, argument checks, ramps and smooth random fields.
"""

from seisfill.synthetic.earth import LayeredModel, layered_model, make_offsets
from seisfill.synthetic.gathers import (
    GatherSynthetic,
    random_gather,
    random_gather_params,
    synthetic_gather,
)
from seisfill.synthetic.sections import (
    CubeSynthetic,
    SectionSynthetic,
    synthetic_cube,
    synthetic_section,
)
from seisfill.synthetic.segy_writer import SyntheticSegySummary, write_synthetic_segy
from seisfill.synthetic.survey import (
    COORDINATE_SCALAR,
    ELEVATION_SCALAR,
    SyntheticShot,
    iter_synthetic_segy_gathers,
)
from seisfill.synthetic.wavelets import (
    Wavelet,
    minimum_phase,
    ormsby,
    phase_rotate,
    random_wavelet,
    ricker,
)

__all__ = [
    "Wavelet",
    "ricker",
    "ormsby",
    "minimum_phase",
    "phase_rotate",
    "random_wavelet",
    "make_offsets",
    "LayeredModel",
    "layered_model",
    "GatherSynthetic",
    "synthetic_gather",
    "random_gather_params",
    "random_gather",
    "SectionSynthetic",
    "synthetic_section",
    "CubeSynthetic",
    "synthetic_cube",
    "SyntheticShot",
    "SyntheticSegySummary",
    "iter_synthetic_segy_gathers",
    "write_synthetic_segy",
    "COORDINATE_SCALAR",
    "ELEVATION_SCALAR",
]
