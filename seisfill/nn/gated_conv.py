"""Gated convolutions (Yu et al., 2019, DeepFill v2), 2D and 3D.

A gated convolution learns its own soft validity mask instead of the
hand-crafted rule of a partial convolution:

.. math::

    y = \\phi(\\mathrm{norm}(W_f * I)) \\odot \\sigma(W_g * I)

Both branches come from **one** convolution with ``2 * out_channels`` outputs
(one GEMM instead of two): output channels ``[0, out_channels)`` are the
features :math:`W_f * I`, ``[out_channels, 2 * out_channels)`` the gate
:math:`W_g * I`.  The normalisation (if any) acts on the feature branch only,
before the activation :math:`\\phi`; the gate :math:`\\sigma(W_g * I)` is the
learned soft mask, kept detached in ``last_gate`` after every forward for QC
plots.

Gated layers take no separate mask: the network feeds ``[data, mask]``
concatenated as channels to its first layer.  To let a U-Net treat every layer
kind alike, ``forward(x, mask=None)`` returns ``(y, mask)`` with the mask passed
through untouched.

The module also holds the small helpers :func:`make_activation` and
:func:`make_norm` shared by the U-Net.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

__all__ = [
    "GatedConv2d",
    "GatedConv3d",
    "ACTIVATIONS",
    "NORMS",
    "make_activation",
    "make_norm",
]

_Size = int | Sequence[int]

#: Names accepted by :func:`make_activation` (``None`` or ``"none"``: identity).
ACTIVATIONS: tuple[str, ...] = ("elu", "leaky_relu", "relu", "gelu", "silu", "none")
#: Names accepted by :func:`make_norm` (``None`` or ``"none"``: identity).
NORMS: tuple[str, ...] = ("batch", "instance", "group", "none")


def make_activation(name: str | None) -> nn.Module:
    """Activation module by name.

    Parameters
    ----------
    name : str or None
        ``"elu"``, ``"leaky_relu"`` (slope 0.2), ``"relu"``, ``"gelu"``,
        ``"silu"``, or ``None`` / ``"none"`` for the identity.

    Returns
    -------
    nn.Module
    """
    key = "none" if name is None else str(name).lower()
    if key == "elu":
        return nn.ELU()
    if key == "leaky_relu":
        return nn.LeakyReLU(0.2)
    if key == "relu":
        return nn.ReLU()
    if key == "gelu":
        return nn.GELU()
    if key == "silu":
        return nn.SiLU()
    if key == "none":
        return nn.Identity()
    raise ValueError(f"unknown activation {name!r}; choose from {ACTIVATIONS} or None")


def _group_count(channels: int, max_groups: int = 8) -> int:
    return math.gcd(channels, max_groups)


def make_norm(name: str | None, channels: int, ndim: int) -> nn.Module:
    """Normalisation module by name.

    Parameters
    ----------
    name : str or None
        ``"batch"`` (BatchNorm), ``"instance"`` (InstanceNorm with affine
        parameters), ``"group"`` (GroupNorm with ``gcd(channels, 8)`` groups), or
        ``None`` / ``"none"`` for the identity.
    channels : int
        Number of channels normalised.
    ndim : int
        Spatial dimensions, 1, 2 or 3.

    Returns
    -------
    nn.Module
    """
    key = "none" if name is None else str(name).lower()
    if ndim not in (1, 2, 3):
        raise ValueError(f"ndim must be 1, 2 or 3, got {ndim}")
    if key == "batch":
        return (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)[ndim - 1](channels)
    if key == "instance":
        return (nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d)[ndim - 1](channels, affine=True)
    if key == "group":
        return nn.GroupNorm(_group_count(channels), channels)
    if key == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {name!r}; choose from {NORMS} or None")


class _GatedConvNd(nn.Module):
    _ndim: int = 0
    _conv_cls: type[nn.Module] = nn.Module

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: _Size,
        stride: _Size = 1,
        padding: _Size | str = 0,
        dilation: _Size = 1,
        bias: bool = True,
        activation: str | None = "elu",
        norm: str | None = None,
        return_gate: bool = False,
        store_gate: bool = True,
    ) -> None:
        super().__init__()
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.conv = self._conv_cls(
            in_channels, 2 * out_channels, kernel_size, stride=stride, padding=padding,
            dilation=dilation, bias=bias,
        )
        self.norm = make_norm(norm, out_channels, self._ndim)
        self.act = make_activation(activation)
        self.activation = activation
        self.norm_name = norm
        self.return_gate = bool(return_gate)
        self.store_gate = bool(store_gate)
        self.last_gate: Tensor | None = None

    def forward(
        self, x: Tensor, mask: Tensor | None = None
    ) -> tuple[Tensor, Tensor | None] | tuple[Tensor, Tensor | None, Tensor]:
        """Apply the gated convolution.

        Parameters
        ----------
        x : Tensor
            :math:`(B, C_{in}, *S)`; the mask, if any, is already one of its
            channels.
        mask : Tensor, optional
            Passed through untouched (uniform interface with partial layers).

        Returns
        -------
        y : Tensor
            :math:`(B, C_{out}, *S_{out})`.
        mask : Tensor or None
            The ``mask`` argument.
        gate : Tensor
            Only with ``return_gate=True``: :math:`\\sigma(W_g * I)`,
            :math:`(B, C_{out}, *S_{out})`, with its graph.
        """
        feature, gate = self.conv(x).chunk(2, dim=1)
        gate = torch.sigmoid(gate)
        y = self.act(self.norm(feature)) * gate
        if self.store_gate:
            self.last_gate = gate.detach()
        if self.return_gate:
            return y, mask, gate
        return y, mask

    @property
    def weight(self) -> Tensor:
        """The combined weight :math:`(2 C_{out}, C_{in}, *k)`: features, then gate."""
        return self.conv.weight

    @property
    def bias(self) -> Tensor | None:
        """The combined bias :math:`(2 C_{out},)`: features, then gate."""
        return self.conv.bias

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, activation={self.activation!r}, "
            f"norm={self.norm_name!r}, return_gate={self.return_gate}"
        )


class GatedConv2d(_GatedConvNd):
    """2D gated convolution :math:`\\phi(\\mathrm{norm}(W_f * I)) \\odot \\sigma(W_g * I)`.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels in and out (the inner convolution has ``2 * out_channels``).
    kernel_size, stride, padding, dilation, bias
        As for :class:`torch.nn.Conv2d` (zero padding, default 0).
    activation : str or None, default "elu"
        :math:`\\phi`: ``"elu"``, ``"leaky_relu"``, ``"relu"``, ``"gelu"``,
        ``"silu"`` or ``None``.
    norm : str or None, default None
        ``"batch"``, ``"instance"``, ``"group"`` or ``None``; feature branch only.
    return_gate : bool, default False
        ``forward`` returns ``(y, mask, gate)`` instead of ``(y, mask)``.
    store_gate : bool, default True
        Keep the last gate, detached, in ``last_gate``.

    Shape
    -----
    - x: :math:`(B, C_{in}, H, W)`
    - y, gate: :math:`(B, C_{out}, H_{out}, W_{out})`

    Examples
    --------
    >>> layer = GatedConv2d(2, 16, 5, padding=2)
    >>> data, live = torch.randn(1, 1, 64, 32), torch.ones(1, 1, 64, 32)
    >>> y, _ = layer(torch.cat([data * live, live], dim=1))
    >>> y.shape, layer.last_gate.shape
    (torch.Size([1, 16, 64, 32]), torch.Size([1, 16, 64, 32]))
    """

    _ndim = 2
    _conv_cls = nn.Conv2d


class GatedConv3d(_GatedConvNd):
    """3D gated convolution :math:`\\phi(\\mathrm{norm}(W_f * I)) \\odot \\sigma(W_g * I)`.

    Same parameters as :class:`GatedConv2d`, with :class:`torch.nn.Conv3d`.

    Shape
    -----
    - x: :math:`(B, C_{in}, D, H, W)`
    - y, gate: :math:`(B, C_{out}, D_{out}, H_{out}, W_{out})`
    """

    _ndim = 3
    _conv_cls = nn.Conv3d
