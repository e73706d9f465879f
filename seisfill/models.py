"""The pretrained models shipped in ``seisfill/weights/``: list, describe, load.

Each shipped model ``NAME`` is two files in ``seisfill/weights/``:

``NAME.pt``
    The weights as :mod:`seisfill.train` writes them (``torch.save`` of a dict:
    ``config`` for :func:`seisfill.nn.make_model`, ``state_dict``,
    ``normalize``, ``patch``, ``step``, ``metrics``), loaded with
    ``weights_only=True``.
``NAME.json``
    The model card's facts (data, config, steps, hardware, wall time,
    validation SNR per decimation pattern, licence); ``NAME.md`` renders it
    for people.  Listing models reads only the JSON files, so
    ``seisfill models`` works without torch.

:func:`load_model` takes a shipped name or a path to any weights file written
by ``seisfill train`` (``runs/<name>/model.pt``); a missing or corrupt file is
a :class:`~seisfill.errors.SeisfillError` with one clear line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seisfill.errors import SeisfillError

if TYPE_CHECKING:  # pragma: no cover
    from torch import nn

__all__ = [
    "WEIGHTS_DIR",
    "DEFAULT_2D",
    "DEFAULT_3D",
    "ModelCard",
    "LoadedModel",
    "list_models",
    "model_card",
    "load_model",
    "default_model_name",
    "resolve_model",
]

#: Folder of the shipped weights and cards.
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
#: Default model for gathers and 2-D lines.
DEFAULT_2D = "gated2d"
#: Default model for post-stack cubes (and stacks of neighbouring gathers).
DEFAULT_3D = "partial3d"
#: Inference windows used when a card does not say (time first).
_DEFAULT_WINDOW = {2: (256, 64), 3: (128, 32, 32)}
_DEFAULT_OVERLAP = {2: (32, 16), 3: (16, 8, 8)}
_REQUIRED_KEYS = ("config", "state_dict")


@dataclass
class ModelCard:
    """What a shipped model is (from ``NAME.json``).

    Attributes
    ----------
    name : str
        Model name (``partial2d``, ...).
    ndim : int
        2 (gathers, lines) or 3 (cubes).
    conv : str
        ``partial`` or ``gated``.
    summary : str
        One line for ``seisfill models``.
    inference : dict
        ``window`` and ``overlap`` (time first) for :func:`seisfill.nn.inference.fill_with_model`.
    facts : dict
        Everything else on the card (data, training, validation, licence).
    path : Path
        The weights file.
    """

    name: str
    ndim: int
    conv: str
    summary: str
    inference: dict[str, Any]
    facts: dict[str, Any] = field(default_factory=dict)
    path: Path = WEIGHTS_DIR

    @property
    def size_mb(self) -> float:
        """Size of the weights file, MB (0 when missing)."""
        return self.path.stat().st_size / 1e6 if self.path.exists() else 0.0


@dataclass
class LoadedModel:
    """A model ready for inference, and what it needs to be used as trained.

    Attributes
    ----------
    name : str
        Shipped name, or the file path.
    model : torch.nn.Module
        The network in eval mode.
    normalize : dict
        Its ``normalize`` config (:mod:`seisfill.nn.normalize`).
    window, overlap : tuple of int
        Inference windows, time first.
    card : ModelCard or None
        The card of a shipped model.
    guide : str or None
        For a network that corrects a classical estimate (``guide_channels``
        > 0): the registered method whose estimate it takes (card or weights
        file ``guide``); None for the others.
    """

    name: str
    model: nn.Module
    normalize: dict[str, Any]
    window: tuple[int, ...]
    overlap: tuple[int, ...]
    card: ModelCard | None = None
    guide: str | None = None

    @property
    def ndim(self) -> int:
        """2 or 3."""
        return int(getattr(self.model, "ndim", 2))


def _card_from_json(path: Path) -> ModelCard:
    try:
        facts = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise SeisfillError(f"{path}: unreadable model card ({exc})") from exc
    name = path.stem
    model = facts.get("model", {})
    ndim = int(model.get("ndim", 2))
    inference = dict(facts.get("inference", {}))
    inference.setdefault("window", list(_DEFAULT_WINDOW[ndim]))
    inference.setdefault("overlap", list(_DEFAULT_OVERLAP[ndim]))
    return ModelCard(
        name=name,
        ndim=ndim,
        conv=str(model.get("conv", "?")),
        summary=str(facts.get("summary", "")),
        inference=inference,
        facts=facts,
        path=path.with_suffix(".pt"),
    )


def list_models(folder: Path | None = None) -> list[ModelCard]:
    """Cards of the shipped models, sorted by name (no torch needed)."""
    root = WEIGHTS_DIR if folder is None else Path(folder)
    return [_card_from_json(p) for p in sorted(root.glob("*.json"))]


def model_card(name: str) -> ModelCard:
    """The card of shipped model ``name``."""
    path = WEIGHTS_DIR / f"{name}.json"
    if not path.exists():
        raise SeisfillError(f"no shipped model named '{name}'; shipped: {_names()} (or give a path to a .pt file)")
    return _card_from_json(path)


def _names() -> str:
    names = [c.name for c in list_models()]
    return ", ".join(names) if names else "none"


def default_model_name(ndim: int) -> str:
    """The default model for 2-D (gathers, lines) or 3-D (cubes) data."""
    return DEFAULT_3D if ndim == 3 else DEFAULT_2D


def _read_weights(path: Path) -> Mapping[str, Any]:
    import torch

    if not path.exists():
        raise SeisfillError(f"{path}: weights file not found")
    if path.is_dir():
        raise SeisfillError(f"{path}: is a folder, not a weights file")
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # zip/pickle errors of every kind: a corrupt or foreign file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SeisfillError(f"{path}: not a readable seisfill weights file ({first[:120]})") from exc
    if not isinstance(blob, Mapping) or any(k not in blob for k in _REQUIRED_KEYS):
        raise SeisfillError(
            f"{path}: not a seisfill weights file (needs the keys {', '.join(_REQUIRED_KEYS)}, "
            "as written by seisfill train)"
        )
    return blob


def load_model(name_or_path: str | Path, device: str = "cpu") -> LoadedModel:
    """Load a shipped model by name, or any weights file by path.

    Parameters
    ----------
    name_or_path : str or Path
        ``partial2d``, ``gated2d``, ``partial3d``, ``gated3d`` (see
        :func:`list_models`), or a ``.pt`` file from ``seisfill train``.
    device : str
        Where to put the model (``"cpu"``, ``"cuda"``, ``"auto"``).

    Returns
    -------
    LoadedModel

    Raises
    ------
    SeisfillError
        Unknown name, missing file, corrupt file, or weights that do not fit
        their config.
    """
    from seisfill._deps import require

    require("torch", "filling with a network")
    from seisfill.nn.inference import resolve_device
    from seisfill.nn.registry import make_model

    text = str(name_or_path)
    card = None
    shipped = WEIGHTS_DIR / f"{text}.json"
    if shipped.exists() and "/" not in text and not text.endswith(".pt"):
        card = _card_from_json(shipped)
        path = card.path
    else:
        path = Path(text)
        if not path.exists() and path.suffix != ".pt" and "/" not in text:
            raise SeisfillError(f"no shipped model named '{text}'; shipped: {_names()} (or give a path to a .pt file)")
    blob = _read_weights(path)
    try:
        model = make_model(dict(blob["config"]))
        model.load_state_dict(blob["state_dict"])
    except (RuntimeError, TypeError, ValueError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SeisfillError(f"{path}: weights do not fit their model config ({first[:160]})") from exc
    model.eval()
    model.to(resolve_device(device))
    ndim = int(getattr(model, "ndim", 2))
    if card is not None:
        window = tuple(int(v) for v in card.inference["window"])
        overlap = tuple(int(v) for v in card.inference["overlap"])
    else:
        patch = blob.get("patch")
        window = tuple(int(v) for v in patch) if patch and len(patch) == ndim else _DEFAULT_WINDOW[ndim]
        overlap = _DEFAULT_OVERLAP[ndim]
    guide = (card.facts.get("guide") if card is not None else None) or blob.get("guide")
    if bool(getattr(model, "guide_channels", 0)) != bool(guide):
        raise SeisfillError(
            f"{path}: a network with guide channels needs its guide named (card or weights 'guide'), "
            "and only such a network may name one"
        )
    return LoadedModel(
        name=card.name if card else str(path),
        model=model,
        normalize=dict(blob.get("normalize") or {}),
        window=window,
        overlap=overlap,
        card=card,
        guide=str(guide) if guide else None,
    )


_CACHE: dict[tuple[str, str], LoadedModel] = {}


def resolve_model(model: Any, device: str = "auto", ndim: int = 2) -> LoadedModel:
    """A :class:`LoadedModel` from a name, a path, a loaded model, or None (the default for ``ndim``).

    Names and paths are loaded once per process and device (workers and
    repeated calls reuse them).
    """
    if isinstance(model, LoadedModel):
        return model
    key = (str(model) if model is not None else default_model_name(ndim), str(device))
    if key not in _CACHE:
        _CACHE[key] = load_model(key[0], device=device)
    return _CACHE[key]
