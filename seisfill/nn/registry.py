"""Build models from names or configs, and measure them.

A config is a JSON-friendly dict: ``{"arch": "MaskedUNet", **constructor
arguments}``.  Checkpoints store :func:`model_config` next to the
``state_dict`` and rebuild the same architecture with :func:`make_model`::

    ckpt = {"config": model_config(model), "state_dict": model.state_dict()}
    model = make_model(ckpt["config"])
    model.load_state_dict(ckpt["state_dict"])

Named presets (see :func:`available_models`) are configs too, and keyword
overrides apply on top of either.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import Tensor, nn

from seisfill.nn.unet import MaskedUNet

__all__ = [
    "ARCHITECTURES",
    "PRESETS",
    "available_models",
    "make_model",
    "model_config",
    "count_parameters",
    "flops_per_sample",
]

#: Architecture name -> class; every class takes its config as keyword arguments
#: and keeps it in ``.config``.
ARCHITECTURES: dict[str, type[nn.Module]] = {"MaskedUNet": MaskedUNet}

#: Named configs.  ``partial2d`` is the default model for gathers.
PRESETS: dict[str, dict[str, Any]] = {
    "partial2d": {"arch": "MaskedUNet", "ndim": 2, "conv": "partial"},
    "gated2d": {"arch": "MaskedUNet", "ndim": 2, "conv": "gated", "activation": "elu"},
    "vanilla2d": {"arch": "MaskedUNet", "ndim": 2, "conv": "vanilla"},
    "partial3d": {"arch": "MaskedUNet", "ndim": 3, "conv": "partial", "width": 16, "depth": 3, "max_width": 128},
    "gated3d": {
        "arch": "MaskedUNet", "ndim": 3, "conv": "gated", "activation": "elu",
        "width": 16, "depth": 3, "max_width": 128,
    },
    "vanilla3d": {"arch": "MaskedUNet", "ndim": 3, "conv": "vanilla", "width": 16, "depth": 3, "max_width": 128},
}


def available_models() -> list[str]:
    """Names accepted by :func:`make_model`."""
    return sorted(PRESETS)


def make_model(name_or_config: str | Mapping[str, Any], **overrides: Any) -> nn.Module:
    """Build a model from a preset name or a config dict.

    Parameters
    ----------
    name_or_config : str or Mapping
        A name from :func:`available_models`, or a config as returned by
        :func:`model_config` (``"arch"`` defaults to ``"MaskedUNet"``; a
        ``"name"`` key starts from that preset).
    **overrides
        Constructor arguments that replace the config's.

    Returns
    -------
    nn.Module
        A freshly initialised model (load weights separately).

    Examples
    --------
    >>> model = make_model("partial2d", width=16)
    >>> model_config(model)["width"]
    16
    """
    if isinstance(name_or_config, str):
        if name_or_config not in PRESETS:
            raise ValueError(f"unknown model {name_or_config!r}; available: {available_models()}")
        config = dict(PRESETS[name_or_config])
    elif isinstance(name_or_config, Mapping):
        config = dict(name_or_config)
        name = config.pop("name", None)
        if name is not None:
            if name not in PRESETS:
                raise ValueError(f"unknown model {name!r}; available: {available_models()}")
            config = {**PRESETS[name], **config}
    else:
        raise TypeError(f"expected a model name or a config dict, got {type(name_or_config).__name__}")
    config.update(overrides)
    arch = config.pop("arch", "MaskedUNet")
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; known: {sorted(ARCHITECTURES)}")
    return ARCHITECTURES[arch](**config)


def model_config(model: nn.Module) -> dict[str, Any]:
    """The config that rebuilds ``model``'s architecture with :func:`make_model`.

    Parameters
    ----------
    model : nn.Module
        A model built by :func:`make_model` (or directly from one of
        :data:`ARCHITECTURES`); a :func:`torch.compile` wrapper is unwrapped.

    Returns
    -------
    dict
        ``{"arch": ..., **constructor arguments}``, JSON-serialisable.
    """
    model = getattr(model, "_orig_mod", model)
    for arch, cls in ARCHITECTURES.items():
        if type(model) is cls:
            return {"arch": arch, **copy.deepcopy(model.config)}
    raise TypeError(f"{type(model).__name__} is not a registered architecture")


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of (trainable) parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def _conv_flops(module: nn.Module, inputs: tuple[Tensor, ...], output: Any) -> int:
    out = output[0] if isinstance(output, tuple) else output
    if isinstance(module, nn.modules.conv._ConvTransposeNd):
        spatial = math.prod(inputs[0].shape[2:])
    else:
        spatial = math.prod(out.shape[2:])
    kernel = math.prod(module.kernel_size)
    cin = module.in_channels // module.groups
    return 2 * cin * module.out_channels * kernel * spatial * out.shape[0]


def flops_per_sample(model: nn.Module, shape: Sequence[int]) -> int:
    """Estimated FLOPs of one forward pass for one sample.

    Counts the convolutions only (``2 * C_in/groups * C_out * prod(k) *
    prod(S_out)`` each, i.e. 2 FLOPs per multiply-add), by hooking every
    :class:`torch.nn.Conv1d/2d/3d` (partial and gated layers included; the mask
    bookkeeping of partial layers is not counted) and transposed convolution
    and :class:`torch.nn.Linear`.  Runs the model on the ``meta`` device (no
    compute, no memory), falling back to a real pass on zeros.

    Parameters
    ----------
    model : nn.Module
        A :class:`MaskedUNet` (called as ``model(x, mask)``) or any module
        called as ``model(x)``.
    shape : sequence of int
        One sample: the spatial shape :math:`S`, or :math:`(C, *S)`, or
        :math:`(B, C, *S)` (the result is divided by ``B``).  For models
        without an ``ndim`` attribute (plain modules) it is :math:`(C, *S)`.

    Returns
    -------
    int
        FLOPs per sample.

    Examples
    --------
    >>> model = make_model("partial2d")
    >>> per_trace = flops_per_sample(model, (1024, 128)) / 128 * 1000 / 1024
    """
    model = getattr(model, "_orig_mod", model)
    shape = tuple(int(s) for s in shape)
    nd = getattr(model, "ndim", None)
    channels = getattr(model, "in_channels", 1)
    if nd is not None and len(shape) == nd:
        shape = (1, channels, *shape)
    elif nd is None or len(shape) == nd + 1:
        shape = (1, *shape)
    if nd is not None and len(shape) != nd + 2:
        raise ValueError(f"shape {shape} is not (S), (C, S) or (B, C, S) for a {nd}D model")
    batch = shape[0]
    if batch < 1:
        raise ValueError("the batch in shape must be >= 1")
    takes_mask = isinstance(model, MaskedUNet)

    def run(m: nn.Module, device: torch.device) -> int:
        total = 0

        def hook(mod: nn.Module, inp: tuple[Tensor, ...], out: Any) -> None:
            nonlocal total
            if isinstance(mod, nn.Linear):
                total += 2 * mod.in_features * mod.out_features * (out.numel() // mod.out_features)
            else:
                total += _conv_flops(mod, inp, out)

        kinds = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.modules.conv._ConvTransposeNd, nn.Linear)
        handles = [mod.register_forward_hook(hook) for mod in m.modules() if isinstance(mod, kinds)]
        try:
            param = next(m.parameters(), None)
            dtype = param.dtype if param is not None else torch.float32
            x = torch.zeros(shape, device=device, dtype=dtype)
            with torch.no_grad():
                if takes_mask:
                    m(x, torch.ones((shape[0], 1, *shape[2:]), device=device, dtype=torch.bool))
                else:
                    m(x)
        finally:
            for h in handles:
                h.remove()
        return total

    try:
        meta = copy.deepcopy(model).to("meta").eval()
        total = run(meta, torch.device("meta"))
    except Exception:  # an op without a meta kernel: count on a real pass
        param = next(model.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
        was_training = model.training
        model.eval()
        try:
            total = run(model, device)
        finally:
            model.train(was_training)
    return total // batch
