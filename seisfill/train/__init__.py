"""Training of the trace-filling networks (:mod:`seisfill.nn`).

Public API
----------
:func:`main`
    ``seisfill train --config PATH [--resume] [--out DIR] [--set key=value ...]``
    (also ``python -m seisfill.train`` and ``torchrun -m seisfill.train``).
:func:`train`
    Train from a resolved config dict; returns a :class:`TrainResult`.
:func:`load_config`
    Compose a YAML config (``defaults:`` groups) with ``key=value`` overrides.
:class:`PatchDataset`, :func:`pack_npz`
    Seeded patches from synthetic and real data; fixed ``.npz`` packs for GPU runs.
:class:`FillLoss`
    Hole/valid L1 + f-k spectral loss.
:func:`normalize`, :func:`denormalize`
    The invertible per-patch amplitude normalisation the networks expect
    (:mod:`seisfill.nn.normalize`: inference uses it too).

See ``seisfill/configs/`` (also ``configs/`` at the top of the repository)
for the config groups and the shipped experiments (``tiny``, ``cpu_2d``,
``gpu_2d``, ``gpu_3d``).
"""

from seisfill.nn.normalize import NormState, denormalize, normalize
from seisfill.train.config import DEFAULTS, dump_config, load_config
from seisfill.train.data import PatchDataset, describe_split, pack_npz
from seisfill.train.loop import TrainResult, main, train, validate
from seisfill.train.losses import FillLoss, masked_l1, spectral_loss

__all__ = [
    "main",
    "train",
    "TrainResult",
    "validate",
    "load_config",
    "dump_config",
    "DEFAULTS",
    "PatchDataset",
    "pack_npz",
    "describe_split",
    "FillLoss",
    "masked_l1",
    "spectral_loss",
    "normalize",
    "denormalize",
    "NormState",
]
