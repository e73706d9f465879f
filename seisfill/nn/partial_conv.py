"""Partial convolutions (Liu et al., 2018), 2D and 3D.

A partial convolution sees only the valid (live) samples under its window and
re-normalises by how many there were:

.. math::

    y = \\begin{cases}
        W^T (X \\odot M) \\, \\frac{\\mathrm{sum}(\\mathbf{1})}{\\mathrm{sum}(M)} + b
            & \\text{if } \\mathrm{sum}(M) > 0 \\\\
        0   & \\text{otherwise}
    \\end{cases}
    \\qquad
    M' = \\begin{cases} 1 & \\text{if } \\mathrm{sum}(M) > 0 \\\\ 0 & \\text{otherwise} \\end{cases}

where the sums run over the window (and over the input channels when the mask
has one channel per input channel).  The zero padding at the borders counts as
*invalid*, so a window that hangs over the edge is re-weighted by the number of
real samples it covers: this is the "partial convolution based padding" of
Liu et al. (2018b), and it is why a partial convolution with an all-ones mask
equals a plain convolution only away from the borders (at a border sample of a
``k x k`` window with ``p`` padded positions the raw sum is scaled by
``k*k / (k*k - p)``).

Everything here follows NVIDIA's reference implementation
(``PartialConv2d(..., multi_channel=False, return_mask=False)`` and
``forward(input, mask_in=None)``) so that the classes are drop-in subclasses of
:class:`torch.nn.Conv2d` / :class:`torch.nn.Conv3d` with the same
``state_dict``: the mask machinery keeps no parameters and no buffers.

Masks are expected to be binary (0 = missing, 1 = live).  The live count of a
window is then an integer, and a window is valid when the count is above 0.5:
this is the same as "> 0" and immune to the rounding of fast convolution
algorithms (Winograd, FFT, TF32) that may return ``1e-7`` instead of ``0``.
The count is always computed in float32 (float64 for float64 inputs) with
autocast disabled, so that it stays exact under ``torch.autocast(bfloat16)``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = [
    "partial_conv",
    "partial_conv_mask",
    "PartialConv2d",
    "PartialConv3d",
]

_Size = int | Sequence[int]
_Padding = int | Sequence[int] | str

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _conv_fn(nd: int):
    try:
        return _CONV[nd]
    except KeyError:
        raise ValueError(f"partial convolution supports 1 to 3 spatial dims, got {nd}") from None


def _count_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype the live counts are computed in: float64 stays, the rest is float32."""
    return torch.float64 if dtype == torch.float64 else torch.float32


# device types with an autocast mode (a static set: ``torch.amp.is_autocast_available``
# is opaque to torch.compile and would break the graph in every layer)
_AUTOCAST_DEVICES = frozenset({"cpu", "cuda", "xpu", "mps", "hpu"})


def _no_autocast(device: torch.device) -> contextlib.AbstractContextManager:
    if device.type in _AUTOCAST_DEVICES:
        return torch.autocast(device_type=device.type, enabled=False)
    return contextlib.nullcontext()


def _ones_kernel(kernel_size: Sequence[int], device: torch.device, dtype: torch.dtype) -> Tensor:
    return torch.ones((1, 1, *kernel_size), device=device, dtype=dtype)


def partial_conv_mask(
    mask: Tensor,
    kernel_size: Sequence[int],
    stride: _Size = 1,
    padding: _Padding = 0,
    dilation: _Size = 1,
    *,
    ones: Tensor | None = None,
    dtype: torch.dtype | None = None,
    window: float | None = None,
) -> tuple[Tensor, Tensor]:
    """Re-normalisation ratio and updated mask of a partial convolution.

    Computed under :func:`torch.no_grad` with autocast disabled, in float32
    (float64 for a float64 mask).

    Parameters
    ----------
    mask : Tensor
        Binary mask, shape :math:`(B, C_m, *S)` with :math:`C_m` = 1 (one mask
        for all input channels) or :math:`C_{in}` (one per channel); bool or
        floating point.
    kernel_size : sequence of int
        Spatial size of the convolution kernel, one entry per spatial dim.
    stride, padding, dilation
        As for :func:`torch.nn.functional.conv2d` (``padding`` may be
        ``"same"`` or ``"valid"``).
    ones : Tensor, optional
        The all-ones kernel of shape :math:`(1, 1, *k)` in the count dtype on
        the mask's device; made on the fly when not given (the modules pass a
        cached one).
    dtype : torch.dtype, optional
        Dtype of the counts: float32 or float64.  Default: float64 for a
        float64 mask, else float32.
    window : float, optional
        The live count of a fully live window; default ``C_m * prod(k)``.  A
        caller that sums a multi-channel mask itself passes a one-channel
        mask of per-position live-channel counts and ``window = C_in *
        prod(k)`` (this is what the U-Net decoder does at its skips).

    Returns
    -------
    ratio : Tensor
        :math:`(B, 1, *S_{out})`: ``C_m * prod(k) / sum(M)`` where the window
        has a live sample, 0 elsewhere.
    update : Tensor
        :math:`(B, 1, *S_{out})`: 1 where the window has a live sample, else 0.
    """
    nd = mask.dim() - 2
    if len(kernel_size) != nd:
        raise ValueError(f"kernel_size {tuple(kernel_size)} does not match a {nd}D mask")
    conv = _conv_fn(nd)
    dtype = _count_dtype(mask.dtype if dtype is None else dtype)
    with torch.no_grad(), _no_autocast(mask.device):
        m = mask.to(dtype)
        if m.shape[1] > 1:
            m = m.sum(dim=1, keepdim=True)
        if ones is None:
            ones = _ones_kernel(kernel_size, mask.device, dtype)
        count = conv(m, ones, None, stride, padding, dilation)
        update = (count > 0.5).to(dtype)
        if window is None:
            window = float(mask.shape[1] * math.prod(kernel_size))
        ratio = window / count.clamp_min(1.0) * update
    return ratio, update


def _check_mask(input: Tensor, mask: Tensor, in_channels: int) -> None:
    if mask.dim() != input.dim():
        raise ValueError(
            f"mask must have the input's rank (B, C, *spatial): input {tuple(input.shape)}, "
            f"mask {tuple(mask.shape)}"
        )
    if mask.shape[2:] != input.shape[2:]:
        raise ValueError(
            f"mask spatial shape {tuple(mask.shape[2:])} differs from the input's "
            f"{tuple(input.shape[2:])}"
        )
    if mask.shape[1] not in (1, in_channels):
        raise ValueError(f"mask must have 1 or {in_channels} channels, got {mask.shape[1]}")
    if mask.shape[0] not in (1, input.shape[0]):
        raise ValueError(f"mask batch {mask.shape[0]} is neither 1 nor the input's {input.shape[0]}")


def partial_conv(
    input: Tensor,
    mask: Tensor | None,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: _Size = 1,
    padding: _Padding = 0,
    dilation: _Size = 1,
    groups: int = 1,
    *,
    multi_channel: bool | None = None,
    ratio_update: tuple[Tensor, Tensor] | None = None,
) -> tuple[Tensor, Tensor]:
    """Partial convolution, functional form (1D, 2D or 3D from ``weight``'s rank).

    Parameters
    ----------
    input : Tensor
        :math:`(B, C_{in}, *S)`.
    mask : Tensor or None
        Binary mask :math:`(B, C_m, *S)`, :math:`C_m \\in \\{1, C_{in}\\}`, batch
        :math:`B` or 1 (broadcast).  ``None`` means all ones: only the border
        re-weighting of the zero padding remains.
    weight : Tensor
        :math:`(C_{out}, C_{in} / groups, *k)`.
    bias : Tensor, optional
        :math:`(C_{out},)`; added only where the window has a live sample.
    stride, padding, dilation, groups
        As for :func:`torch.nn.functional.conv2d`.  The padding is zero padding
        and counts as invalid.  ``groups > 1`` needs a one-channel mask.
    multi_channel : bool, optional
        Shape of the returned mask: ``True`` gives :math:`C_{out}` (identical)
        channels, ``False`` one channel.  Default: ``True`` when the mask has
        more than one channel.
    ratio_update : (Tensor, Tensor), optional
        The output of :func:`partial_conv_mask` for this mask, when the caller
        already has it (the modules cache it).

    Returns
    -------
    out : Tensor
        :math:`(B, C_{out}, *S_{out})`, the input's dtype (or autocast's).
    new_mask : Tensor
        :math:`(B, 1 \\text{ or } C_{out}, *S_{out})` in ``out``'s dtype; may be
        an expanded view.

    Examples
    --------
    >>> x = torch.randn(2, 3, 16, 16)
    >>> m = (torch.rand(2, 1, 1, 16) > 0.3).float().expand(-1, -1, 16, -1)
    >>> w = torch.randn(8, 3, 3, 3)
    >>> y, m2 = partial_conv(x, m, w, None, padding=1)
    >>> y.shape, m2.shape
    (torch.Size([2, 8, 16, 16]), torch.Size([2, 1, 16, 16]))
    """
    nd = weight.dim() - 2
    conv = _conv_fn(nd)
    if input.dim() != nd + 2:
        raise ValueError(f"a {nd}D partial convolution needs a {nd + 2}D input, got {tuple(input.shape)}")
    in_channels = weight.shape[1] * groups
    kernel_size = tuple(weight.shape[2:])
    if mask is not None:
        _check_mask(input, mask, in_channels)
        if mask.dtype == torch.bool:
            mask = mask.to(input.dtype)
        if multi_channel is None:
            multi_channel = mask.shape[1] > 1
        if groups > 1 and mask.shape[1] > 1:
            raise NotImplementedError("grouped partial convolution needs a one-channel mask")
    multi_channel = bool(multi_channel)

    if ratio_update is None:
        ref = mask if mask is not None else input.new_ones((1, 1, *input.shape[2:]))
        ratio_update = partial_conv_mask(
            ref, kernel_size, stride, padding, dilation, dtype=_count_dtype(input.dtype)
        )
    ratio, update = ratio_update

    x = input if mask is None else input * mask.to(input.dtype)
    out = conv(x, weight, None, stride, padding, dilation, groups)
    # ``out`` is a fresh conv output that the conv backward does not save, so the
    # in-place updates are autograd-safe and spare two full-size temporaries.
    new_mask = update.to(out.dtype)
    out = out.mul_(ratio.to(out.dtype))  # ratio is 0 where the window is invalid
    if bias is not None:
        out = out.add_(bias.to(out.dtype).view(1, -1, *([1] * nd))).mul_(new_mask)

    channels = weight.shape[0] if multi_channel else 1
    new_mask = new_mask.expand(out.shape[0], channels, *new_mask.shape[2:])
    return out, new_mask


class _PartialConvMixin:
    """Shared forward of :class:`PartialConv2d` and :class:`PartialConv3d`.

    Caches (plain attributes, not buffers, so ``state_dict`` is the plain
    convolution's): the all-ones count kernel per (device, dtype), and for
    ``mask_in=None`` the ratio of the last input shape (NVIDIA's ``last_size``).
    The caches are bypassed while :func:`torch.compile` traces.
    """

    # provided by the nn.ConvNd base
    weight: Tensor
    bias: Tensor | None
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...] | str
    dilation: tuple[int, ...]
    groups: int
    out_channels: int
    in_channels: int
    padding_mode: str

    def _init_partial(self, multi_channel: bool, return_mask: bool) -> None:
        if self.padding_mode != "zeros":
            raise ValueError(
                "partial convolution pads with zeros that count as invalid; "
                f"padding_mode={self.padding_mode!r} is not supported"
            )
        if multi_channel and self.groups > 1:
            raise NotImplementedError("grouped partial convolution needs multi_channel=False")
        self.multi_channel = bool(multi_channel)
        self.return_mask = bool(return_mask)
        self._ones_cache: dict[tuple[torch.device, torch.dtype, bool], Tensor] = {}
        self._last_key: tuple[Any, ...] | None = None
        self._last_ratio_update: tuple[Tensor, Tensor] | None = None

    def ones_kernel(self, device: torch.device, dtype: torch.dtype) -> Tensor:
        """The all-ones count kernel :math:`(1, 1, *k)`, cached per (device, dtype, inference mode)."""
        if torch.compiler.is_compiling():
            return _ones_kernel(self.kernel_size, device, dtype)
        # tensors made under inference_mode must not be reused where autograd records
        key = (device, dtype, torch.is_inference_mode_enabled())
        kernel = self._ones_cache.get(key)
        if kernel is None:
            kernel = self._ones_cache[key] = _ones_kernel(self.kernel_size, device, dtype)
        return kernel

    def _ratio_update(self, input: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor]:
        dtype = _count_dtype(input.dtype)
        if mask is not None:
            return partial_conv_mask(
                mask, self.kernel_size, self.stride, self.padding, self.dilation,
                ones=self.ones_kernel(mask.device, dtype), dtype=dtype,
            )
        key = None
        if not torch.compiler.is_compiling():
            key = (tuple(input.shape[2:]), input.device, dtype, torch.is_inference_mode_enabled())
            if key == self._last_key:
                assert self._last_ratio_update is not None
                return self._last_ratio_update
        ref = torch.ones((1, 1, *input.shape[2:]), device=input.device, dtype=dtype)
        ratio_update = partial_conv_mask(
            ref, self.kernel_size, self.stride, self.padding, self.dilation,
            ones=self.ones_kernel(input.device, dtype), dtype=dtype,
        )
        if key is not None:
            self._last_key, self._last_ratio_update = key, ratio_update
        return ratio_update

    def forward(
        self,
        input: Tensor,
        mask_in: Tensor | None = None,
        *,
        ratio_update: tuple[Tensor, Tensor] | None = None,
    ) -> Tensor | tuple[Tensor, Tensor]:
        """Apply the partial convolution.

        Parameters
        ----------
        input : Tensor
            :math:`(B, C_{in}, *S)`.
        mask_in : Tensor, optional
            Binary mask :math:`(B, C_{in}, *S)` when ``multi_channel`` else
            :math:`(B, 1, *S)`; ``None`` means all ones.
        ratio_update : (Tensor, Tensor), optional
            Counts already computed with :func:`partial_conv_mask` (the
            ``ones`` kernel of :meth:`ones_kernel` avoids re-allocating it).
            ``mask_in`` then only masks the input: pass ``None`` when the input
            is already zero wherever it is invalid.

        Returns
        -------
        Tensor or (Tensor, Tensor)
            The output :math:`(B, C_{out}, *S_{out})` and, with
            ``return_mask=True``, the updated mask :math:`(B, C_{out}, *S_{out})`
            (``multi_channel``) or :math:`(B, 1, *S_{out})`.
        """
        if mask_in is not None:
            if mask_in.dtype == torch.bool:
                mask_in = mask_in.to(input.dtype)
            _check_mask(input, mask_in, self.in_channels)
            if not self.multi_channel and mask_in.shape[1] != 1:
                raise ValueError(
                    "mask_in must have 1 channel (multi_channel=False), "
                    f"got {tuple(mask_in.shape)}"
                )
        out, new_mask = partial_conv(
            input, mask_in, self.weight, self.bias, self.stride, self.padding, self.dilation,
            self.groups, multi_channel=self.multi_channel,
            ratio_update=ratio_update if ratio_update is not None else self._ratio_update(input, mask_in),
        )
        if self.return_mask:
            return out, new_mask
        return out

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, multi_channel={self.multi_channel}, return_mask={self.return_mask}"  # type: ignore[misc]


class PartialConv2d(_PartialConvMixin, nn.Conv2d):
    """2D partial convolution, a drop-in :class:`torch.nn.Conv2d`.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`torch.nn.Conv2d` (``padding_mode`` must be ``"zeros"``).
    multi_channel : bool, default False
        The mask has one channel per input channel (and the returned mask one
        per output channel) instead of a single channel.
    return_mask : bool, default False
        ``forward`` returns ``(output, updated_mask)`` instead of the output.

    Shape
    -----
    - input: :math:`(B, C_{in}, H, W)`; mask_in: :math:`(B, 1|C_{in}, H, W)`
    - output: :math:`(B, C_{out}, H_{out}, W_{out})`; mask: :math:`(B, 1|C_{out}, H_{out}, W_{out})`

    Examples
    --------
    >>> conv = PartialConv2d(1, 8, 3, padding=1, return_mask=True)
    >>> x = torch.randn(2, 1, 64, 32)
    >>> live = (torch.rand(2, 1, 1, 32) > 0.3).float().expand(-1, -1, 64, -1)
    >>> y, m = conv(x, live)
    >>> y.shape, m.shape
    (torch.Size([2, 8, 64, 32]), torch.Size([2, 1, 64, 32]))
    """

    def __init__(self, *args: Any, multi_channel: bool = False, return_mask: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_partial(multi_channel, return_mask)


class PartialConv3d(_PartialConvMixin, nn.Conv3d):
    """3D partial convolution, a drop-in :class:`torch.nn.Conv3d`.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`torch.nn.Conv3d` (``padding_mode`` must be ``"zeros"``).
    multi_channel : bool, default False
        The mask has one channel per input channel (and the returned mask one
        per output channel) instead of a single channel.
    return_mask : bool, default False
        ``forward`` returns ``(output, updated_mask)`` instead of the output.

    Shape
    -----
    - input: :math:`(B, C_{in}, D, H, W)`; mask_in: :math:`(B, 1|C_{in}, D, H, W)`
    - output: :math:`(B, C_{out}, D_{out}, H_{out}, W_{out})`; mask: :math:`(B, 1|C_{out}, ...)`
    """

    def __init__(self, *args: Any, multi_channel: bool = False, return_mask: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_partial(multi_channel, return_mask)
