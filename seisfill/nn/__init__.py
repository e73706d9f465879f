"""Masked-convolution networks for trace filling (needs torch).

This subpackage is the only part of seisfill that imports torch; importing it
without torch raises :class:`seisfill.SeisfillError` with the install hint.

Layers
    :class:`PartialConv2d`, :class:`PartialConv3d`, :func:`partial_conv`,
    :func:`partial_conv_mask` (Liu et al., 2018) and :class:`GatedConv2d`,
    :class:`GatedConv3d` (Yu et al., 2019).
Models
    :class:`MaskedUNet` (2D/3D, partial/gated/vanilla).
Registry
    :func:`make_model`, :func:`model_config`, :func:`available_models`,
    :func:`count_parameters`, :func:`flops_per_sample`.
"""

from seisfill._deps import require

require("torch", "seisfill.nn (the masked-convolution U-Nets)")

from seisfill.nn.gated_conv import GatedConv2d, GatedConv3d, make_activation, make_norm  # noqa: E402
from seisfill.nn.partial_conv import (  # noqa: E402
    PartialConv2d,
    PartialConv3d,
    partial_conv,
    partial_conv_mask,
)
from seisfill.nn.registry import (  # noqa: E402
    available_models,
    count_parameters,
    flops_per_sample,
    make_model,
    model_config,
)
from seisfill.nn.unet import CONV_KINDS, MaskedUNet  # noqa: E402

__all__ = [
    "PartialConv2d",
    "PartialConv3d",
    "partial_conv",
    "partial_conv_mask",
    "GatedConv2d",
    "GatedConv3d",
    "make_activation",
    "make_norm",
    "MaskedUNet",
    "CONV_KINDS",
    "make_model",
    "model_config",
    "available_models",
    "count_parameters",
    "flops_per_sample",
]
