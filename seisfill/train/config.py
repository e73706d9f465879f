"""Training configuration: YAML files composed from small groups, plus overrides.

A run is described by one nested dict.  :data:`DEFAULTS` holds every key with
its default value (so a config file only states what it changes, and a typo
in a key is an error, not a silent no-op); the YAML files under ``configs/``
document each key with a comment.

Composition
-----------
An experiment file lists the group files it is made of under ``defaults:``::

    defaults:
      - model: unet2d_partial      # configs/model/unet2d_partial.yaml -> cfg["model"]
      - data: synthetic_real2d     # configs/data/synthetic_real2d.yaml -> cfg["data"]
      - masks: default
      - train: cpu_small
      - base_experiment            # a bare name: configs/base_experiment.yaml, merged at the top
    train:
      steps: 500                   # the file's own keys win over its defaults

Entries are merged in order, then the file's own keys on top, then the
``--set`` overrides (``train.steps=100``, values parsed as YAML:
``data.patch=[128,64]``, ``data.npz=null``).  ``group: name`` and
``group/name`` are the same.  Group files are looked up next to the
experiment file first, then in the package's ``configs/`` folder
(:data:`CONFIG_DIR`, ``seisfill/configs``: shipped with the package, so a
bare name such as ``tiny`` works from any folder after ``pip install``).

Everything under ``model`` is passed to :func:`seisfill.nn.registry.make_model`
and is not checked here; every other key must exist in :data:`DEFAULTS`.

Paths
-----
Relative paths in a config (``data.root``, ``data.npz``, ``out_dir``) are
taken relative to the current folder, never to the package or a checkout.
``data.root`` is the folder of the real files ``data.real.files``; it has no
default: when unset (null), the environment variable ``SEISFILL_DATA`` gives
it.  It is needed only when real files are read (``data.sources.real > 0``
without ``data.npz``); then a missing or absent folder is an error that names
the option (:func:`data_root`).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from seisfill.errors import SeisfillError
from seisfill.nn.normalize import NORM_DEFAULTS
from seisfill.train.losses import LOSS_DEFAULTS

__all__ = [
    "DEFAULTS",
    "CONFIG_DIR",
    "DATA_ENV",
    "load_config",
    "compose",
    "apply_overrides",
    "parse_override",
    "merge",
    "validate",
    "resolve_path",
    "data_root",
    "dump_config",
    "get",
]

#: Folder of the shipped YAML configs (package data: ``seisfill/configs``).
CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
#: Environment variable giving ``data.root`` when the config leaves it null.
DATA_ENV = "SEISFILL_DATA"

#: Keys whose value is free-form (not checked against DEFAULTS).
_FREE_FORM = ("model", "resolved")

#: Every key with its default.  The YAML files document them.
DEFAULTS: dict[str, Any] = {
    "name": "run",
    "seed": 0,
    "out_dir": None,  # default: runs/<name>
    "init": None,  # start from these weights (shipped name or .pt path): fine-tuning; the model section is taken from them
    "model": {"ndim": 2, "conv": "partial", "width": 32, "depth": 4},
    "data": {
        "root": None,  # folder of the real files; null: $SEISFILL_DATA
        "npz": None,
        "patch": [256, 64],
        "epoch_size": 4096,
        "target": "data",
        "sources": {
            "synthetic_gather": 0.4,
            "synthetic_section": 0.2,
            "synthetic_cube": 0.1,
            "real": 0.3,
        },
        "synthetic": {
            "pool_size": 128,
            "val_pool_size": 16,
            "gather_traces": [64, 160],
            "gather_nt": 512,
            "gather_dt": [0.002, 0.004],
            "section_traces": 256,
            "section_nt": 512,
            "max_dip": [0.2e-3, 1.5e-3],
            "cube_shape": [48, 48, 256],
            "noise_snr_db": [5.0, 40.0],
            "noise_free": 0.2,
        },
        "real": {
            "files": [
                "penobscot_xl1155.sgy",
                "qdn_poststack2d.sgy",
                "real3d_poststack.sgy",
                "f3.sgy",
                "cdp700_land.sgy",
            ],
            "min_coverage": 0.3,
        },
        "holdout": {
            "trace_fraction": 0.25,
            "inline_fraction": 0.25,
            "guard": 2,
            "files": ["cdp700_land.sgy"],
        },
        "val": {"n_patches": 64, "seed": 1},
        "min_rms_ratio": 0.05,
        "npz_margin": [8, 0],
        "npz_dtype": "float16",
        "guide": None,  # a registered numpy method whose estimate a guided network corrects (model.guide_channels)
        "guide_context": None,  # [time, traces] window the guide is computed on when packing (null: the patch)
    },
    "normalize": dict(NORM_DEFAULTS),
    "augment": {
        "enabled": True,
        "flip": 0.5,
        "transpose": 0.5,
        "polarity": 0.5,
        "scale": [0.5, 2.0],
        "time_shift": 8,
    },
    "masks": {
        "kinds": {"random": 0.3, "regular": 0.15, "jitter": 0.15, "gap": 0.2, "dead": 0.2},
        "random_fraction": [0.1, 0.8],
        "regular_every": [2, 4],
        "jitter_every": [2, 4],
        "gap_length": [1, 32],
        "gap_count": [1, 2],
        "dead_fraction": [0.05, 0.3],
        "grid_axes": {"crossline": 0.4, "inline": 0.3, "both": 0.3},
        "max_hole_ratio": 5.0,
    },
    "loss": dict(LOSS_DEFAULTS),
    "train": {
        "steps": 1000,
        "batch_size": 16,
        "lr": 1e-3,
        "weight_decay": 1e-4,
        "betas": [0.9, 0.999],
        "warmup_steps": 50,
        "min_lr_ratio": 0.02,
        "grad_clip": 1.0,
        "precision": "auto",
        "device": "auto",
        "num_workers": 0,
        "log_every": 10,
        "val_every": 100,
        "ckpt_every": 200,
        "val_batch_size": 32,
        "prefetch_factor": 4,
        "time_budget_s": 0,
        "val_at_start": True,
        "channels_last": False,
        "compile": False,
        "threads": 0,
        "tensorboard": False,
        "progress": True,
    },
}


def merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge: dicts merge key by key, anything else in ``update`` replaces."""
    out = copy.deepcopy(dict(base))
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _find(name: str, here: Path) -> Path:
    stem = name if name.endswith((".yaml", ".yml")) else name + ".yaml"
    for folder in (here, CONFIG_DIR):
        path = folder / stem
        if path.is_file():
            return path
    raise SeisfillError(f"config {stem!r} not found in {here} or {CONFIG_DIR}")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise SeisfillError(f"{path}: invalid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise SeisfillError(f"{path}: a config file must hold a mapping, got {type(data).__name__}")
    return data


def compose(path: str | os.PathLike, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a YAML config and merge its ``defaults:`` list (recursively); no DEFAULTS, no checks."""
    path = Path(path).resolve()
    if path in _seen:
        raise SeisfillError(f"config {path} includes itself through its defaults")
    data = _read_yaml(path)
    defaults = data.pop("defaults", []) or []
    if isinstance(defaults, str | Mapping):
        defaults = [defaults]
    out: dict[str, Any] = {}
    for entry in defaults:
        if isinstance(entry, Mapping):
            if len(entry) != 1:
                raise SeisfillError(f"{path}: a defaults entry maps one group to one name: {entry}")
            ((group, name),) = entry.items()
        elif isinstance(entry, str) and "/" in entry:
            group, name = entry.split("/", 1)
        elif isinstance(entry, str):
            out = merge(out, compose(_find(entry, path.parent), (*_seen, path)))
            continue
        else:
            raise SeisfillError(f"{path}: bad defaults entry {entry!r}")
        sub = compose(_find(f"{group}/{name}", path.parent), (*_seen, path))
        out = merge(out, {group: sub})
    return merge(out, data)


def parse_override(text: str) -> tuple[list[str], Any]:
    """``"train.steps=100"`` -> ``(["train", "steps"], 100)`` (the value parsed as YAML)."""
    if "=" not in text:
        raise SeisfillError(f"override {text!r} must look like key.sub=value")
    key, raw = text.split("=", 1)
    keys = [k for k in key.strip().split(".") if k]
    if not keys:
        raise SeisfillError(f"override {text!r} has an empty key")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    return keys, value


def apply_overrides(config: Mapping[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Apply ``key.sub=value`` strings in order."""
    out = copy.deepcopy(dict(config))
    for text in overrides:
        keys, value = parse_override(text)
        node = out
        for k in keys[:-1]:
            if not isinstance(node.get(k), dict):
                node[k] = {}
            node = node[k]
        node[keys[-1]] = value
    return out


def validate(config: Mapping[str, Any], defaults: Mapping[str, Any] = DEFAULTS, prefix: str = "") -> None:
    """Raise for keys that are not in :data:`DEFAULTS` (except the free-form sections)."""
    for key, value in config.items():
        name = f"{prefix}{key}"
        if not prefix and key in _FREE_FORM:
            continue
        if key not in defaults:
            known = ", ".join(sorted(defaults))
            raise SeisfillError(f"unknown config key {name!r}; known keys here: {known}")
        if isinstance(defaults[key], dict) and key != "sources" and key != "kinds" and key != "grid_axes":
            if not isinstance(value, Mapping):
                raise SeisfillError(f"config key {name!r} must be a mapping")
            validate(value, defaults[key], name + ".")


def _check_values(cfg: Mapping[str, Any]) -> None:
    ndim = int(cfg["model"].get("ndim", 2))
    patch = cfg["data"]["patch"]
    if ndim not in (2, 3):
        raise SeisfillError(f"model.ndim must be 2 or 3, got {ndim}")
    if len(patch) != ndim:
        raise SeisfillError(f"data.patch {patch} needs {ndim} sizes (time first) for model.ndim={ndim}")
    for section in ("sources",):
        probs = cfg["data"][section]
        if any(float(p) < 0 for p in probs.values()) or sum(float(p) for p in probs.values()) <= 0:
            raise SeisfillError(f"data.{section} probabilities must be >= 0 with a positive sum")
    guide, guide_channels = cfg["data"].get("guide"), int(cfg["model"].get("guide_channels", 0) or 0)
    if bool(guide) != bool(guide_channels):
        raise SeisfillError(
            f"data.guide ({guide}) and model.guide_channels ({guide_channels}) go together: set both or neither"
        )
    kinds = cfg["masks"]["kinds"]
    if any(float(p) < 0 for p in kinds.values()) or sum(float(p) for p in kinds.values()) <= 0:
        raise SeisfillError("masks.kinds probabilities must be >= 0 with a positive sum")
    unknown = set(kinds) - {"random", "regular", "jitter", "gap", "dead"}
    if unknown:
        raise SeisfillError(f"unknown mask kinds {sorted(unknown)}")
    unknown = set(cfg["data"]["sources"]) - {"synthetic_gather", "synthetic_section", "synthetic_cube", "real"}
    if unknown:
        raise SeisfillError(f"unknown data sources {sorted(unknown)}")
    if cfg["train"]["precision"] not in ("auto", "bf16", "fp32"):
        raise SeisfillError("train.precision must be auto, bf16 or fp32")


def load_config(
    path: str | os.PathLike | None = None,
    overrides: Iterable[str] = (),
    base: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The fully resolved config: DEFAULTS <- composed file (or ``base``) <- overrides.

    Parameters
    ----------
    path : path, optional
        Experiment YAML; a name that is not a file (``"tiny"``, or
        ``"configs/tiny.yaml"`` as the docs spell it) is looked up in
        :data:`CONFIG_DIR`.
    overrides : iterable of str
        ``key.sub=value`` strings.
    base : mapping, optional
        A config dict used instead of a file (e.g. the one saved in a checkpoint).
    """
    cfg: dict[str, Any] = copy.deepcopy(DEFAULTS)
    if path is not None:
        p = Path(path)
        if not p.is_file():
            shipped = p.relative_to("configs") if p.parts[:1] == ("configs",) else p
            p = _find(str(shipped), CONFIG_DIR)
        loaded = compose(p)
        loaded.pop("resolved", None)
        cfg = merge(cfg, loaded)
    if base is not None:
        b = dict(base)
        b.pop("resolved", None)
        cfg = merge(cfg, b)
    cfg = apply_overrides(cfg, overrides)
    validate(cfg)
    _check_values(cfg)
    return cfg


def get(cfg: Mapping[str, Any], dotted: str, default: Any = None) -> Any:
    """``get(cfg, "train.steps")``."""
    node: Any = cfg
    for key in dotted.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return default
        node = node[key]
    return node


def resolve_path(value: str | os.PathLike | None) -> Path | None:
    """A config path: absolute as is (``~`` expanded), relative to the current folder otherwise."""
    if value is None:
        return None
    return Path(os.path.expanduser(str(value))).resolve()


def data_root(data: Mapping[str, Any]) -> Path:
    """The folder of the real training files: ``data.root``, else ``$SEISFILL_DATA``.

    Parameters
    ----------
    data : mapping
        The ``data`` section of a config.

    Raises
    ------
    SeisfillError
        If neither is set, or the folder does not exist.
    """
    value = data.get("root")
    option = "data.root"
    if value in (None, ""):
        value, option = os.environ.get(DATA_ENV) or None, DATA_ENV
    if value is None:
        raise SeisfillError(
            "data.root is not set: this config trains on real SEG-Y files; give their folder with "
            f"--set data.root=DIR or {DATA_ENV}=DIR (or set the data.sources.real weight to 0)"
        )
    root = resolve_path(value)
    if not root.is_dir():
        raise SeisfillError(
            f"{option}={value}: no such folder ({root}); give the folder of the real SEG-Y files "
            "with --set data.root=DIR (or set the data.sources.real weight to 0)"
        )
    return root


def dump_config(cfg: Mapping[str, Any], path: str | os.PathLike | None = None) -> str:
    """YAML text of a config (written to ``path`` when given)."""
    text = yaml.safe_dump(_plain(cfg), sort_keys=False, default_flow_style=None, width=100)
    if path is not None:
        Path(path).write_text(text)
    return text


def _plain(value: Any) -> Any:
    """Tuples, numpy scalars and paths to YAML-safe builtins."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Path | str):
        return str(value)
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    return value
