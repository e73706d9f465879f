"""Masked-convolution U-Nets for trace filling, 2D and 3D from one builder.

:class:`MaskedUNet` takes a gather (or cube) and its live-trace mask and
returns a full estimate; by default the live samples are put back exactly.

Architecture (``depth`` = D, widths ``w_i = min(width * 2**i, max_width)``)::

    input  x (B, C, *S), mask (B, 1, *S)           S = (T, X) or (T, X, Y)
      │ NaN/garbage in missing samples -> 0; optional per-sample RMS scaling
      │ (of the live samples, and of the guide when guided)
      │ zero-pad every spatial axis at its end to a multiple of 2**D (pad = missing)
    stem       conv k0 (first_kernel_size), stride 1          C(+1) -> w0      level 0
    down i     conv k, stride 2                                w_{i-1} -> w_i   level i = 1..D
    bottleneck conv k, stride 1                                w_D -> w_D
    up i       nearest x2 of features (and masks), concatenate
               the level-(i-1) skip, conv k, stride 1          w_i + w_{i-1} -> w_{i-1}
    head       1x1 conv, no activation (signed amplitudes)     w0 -> out_channels
      │ crop the padding (guided: add the guide), undo the scaling
      │ keep_live: out = where(mask, x, prediction)

Guided (``guide_channels`` > 0, gated or plain layers): ``forward(x, mask,
guide)`` also takes dense estimates of the whole patch -- a classical method's
fill, every trace filled -- scaled with the data (the live RMS), fed as extra
input channels, and the network predicts a correction to its first
``out_channels`` channels: ``prediction = guide + head(...)``.  The head starts
at zero, so an untrained guided network returns the guide.

Layer kinds (``conv``):

``"partial"``
    Partial convolutions (Liu et al., 2018).  The mask travels with the
    features: every layer updates it, masks are upsampled (nearest) with the
    features, and at each skip the features *and* the masks are concatenated
    (a decoder layer sees one mask channel per input channel, as in NVIDIA's
    PConv U-Net; it is computed from the per-position live-channel counts
    ``C_up * m_up + C_skip * m_skip`` without materialising that mask).  The
    zero padding (the 2**D padding and each conv's own) counts as invalid.
    Each layer widens the valid region, so gaps up to about ``6 * 2**D``
    traces are bridged (measured: 48 for D = 3, 96 for D = 4, 192 for D = 5);
    in a wider hole the centre stays invalid down to the output, where the
    head returns its bias: use a larger ``depth`` for very wide gaps.  Without
    normalisation the features are already zero wherever their mask is
    (partial layers output 0 there and every activation keeps 0), so the
    ``X * M`` products are skipped.
``"gated"``
    Gated convolutions (Yu et al., 2019); the mask enters once, as an extra
    input channel (``[x * mask, mask]``), and the gates learn the rest.
``"vanilla"``
    Plain convolutions with the same ``[x * mask, mask]`` input: the baseline.

All kinds: no Python loop over the batch, any input size, channels-last
friendly (``model.to(memory_format=torch.channels_last)``), autocast (bf16) on
CPU and GPU, :func:`torch.compile`-able.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seisfill.nn.gated_conv import GatedConv2d, GatedConv3d, make_activation, make_norm
from seisfill.nn.partial_conv import PartialConv2d, PartialConv3d, partial_conv_mask

__all__ = ["MaskedUNet", "CONV_KINDS"]

#: Layer kinds of :class:`MaskedUNet`.
CONV_KINDS: tuple[str, ...] = ("partial", "gated", "vanilla")

_PARTIAL = {2: PartialConv2d, 3: PartialConv3d}
_GATED = {2: GatedConv2d, 3: GatedConv3d}
_PLAIN = {2: nn.Conv2d, 3: nn.Conv3d}


class _Block(nn.Module):
    """One conv layer (+ norm + activation) with a uniform ``(x, mask) -> (x, mask)`` forward.

    For partial layers the returned mask always has one channel (the updated
    mask is the same for every output channel); the other kinds pass the mask
    through.
    """

    def __init__(
        self,
        kind: str,
        ndim: int,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        norm: str | None = None,
        activation: str | None = "leaky_relu",
    ) -> None:
        super().__init__()
        self.kind = kind
        padding = kernel_size // 2
        if kind == "partial":
            self.conv: nn.Module = _PARTIAL[ndim](
                in_channels, out_channels, kernel_size, stride=stride, padding=padding,
                return_mask=True,
            )
        elif kind == "gated":
            self.conv = _GATED[ndim](
                in_channels, out_channels, kernel_size, stride=stride, padding=padding,
                activation=activation, norm=norm,
            )
            norm, activation = None, None  # inside the gated layer (feature branch)
        else:
            self.conv = _PLAIN[ndim](in_channels, out_channels, kernel_size, stride=stride, padding=padding)
        self.norm = make_norm(norm, out_channels, ndim)
        self.act = make_activation(activation)

    def forward(self, x: Tensor, mask: Tensor | None, mask_total: int = 1) -> tuple[Tensor, Tensor | None]:
        """Apply the layer.

        For partial layers ``x`` must already be zero wherever it is invalid,
        and ``mask`` :math:`(B, 1, *S)` holds the number of live channels per
        position, ``mask_total`` being that of a fully live position (1 for a
        binary mask shared by all channels): the counts of a multi-channel
        mask without materialising it.  Returns a binary one-channel mask.
        """
        if self.kind == "partial":
            assert mask is not None
            conv = self.conv
            dtype = torch.float64 if x.dtype == torch.float64 else torch.float32
            ratio_update = partial_conv_mask(
                mask, conv.kernel_size, conv.stride, conv.padding, conv.dilation,
                ones=conv.ones_kernel(mask.device, dtype), dtype=dtype,
                window=float(mask_total * math.prod(conv.kernel_size)),
            )
            x, mask = conv(x, None, ratio_update=ratio_update)
            mask = mask[:, :1]
        elif self.kind == "gated":
            x, _ = self.conv(x)
        else:
            x = self.conv(x)
        return self.act(self.norm(x)), mask


def _as_tensor(a: Any) -> Tensor:
    if isinstance(a, Tensor):
        return a
    return torch.as_tensor(np.asarray(a))


class MaskedUNet(nn.Module):
    """U-Net that fills missing traces, with partial, gated or plain convolutions.

    Parameters
    ----------
    ndim : {2, 3}, default 2
        Spatial dims: 2 for gathers / sections ``(T, X)``, 3 for cubes
        ``(T, X, Y)``.  Time is the first spatial axis.
    conv : {"partial", "gated", "vanilla"}, default "partial"
        Layer kind (see the module docstring).
    in_channels, out_channels : int, default 1
        Data channels in and out (the mask is not counted).
    width : int, default 24
        Channels at full resolution; doubled at every level up to ``max_width``.
    depth : int, default 4
        Number of stride-2 levels; inputs are padded to a multiple of ``2**depth``.
    kernel_size : int, default 3
        Odd kernel size of every layer but the first.
    first_kernel_size : int, default 5
        Odd kernel size of the first layer.
    max_width : int, default 192
        Cap on the channel count.
    norm : {None, "batch", "instance", "group"}, default None
        Normalisation after every layer but the first and the head.
    activation : str or None, default "leaky_relu"
        ``"elu"``, ``"leaky_relu"`` (0.2), ``"relu"``, ``"gelu"``, ``"silu"``
        or ``None``; the output has none.
    guide_channels : int, default 0
        Dense guide channels (see the module docstring); ``forward`` then
        needs ``guide`` of shape :math:`(B, G, *S)` and predicts ``guide[:,
        :C_out] + correction``.  Not with partial layers (their mask would
        hide the guide's dense samples).
    keep_live : bool, default True
        Put the live input samples back exactly: ``out = where(mask, x, pred)``
        (``mask*x + (1-mask)*pred`` for a binary mask, but NaN-safe).
    scale_input : bool, default True
        Divide each sample by the RMS of its live samples before the network
        and multiply the prediction back, so that the model is equivariant to
        the amplitude scale (``f(a x) = a f(x)``, ``a > 0``).

    Shape
    -----
    - x: :math:`(B, C_{in}, T, X)` or :math:`(B, C_{in}, T, X, Y)`, any sizes
    - mask: broadcastable to :math:`(B, 1, *S)` (e.g. :math:`(B, 1, 1, X)`:
      a trace is live or missing), bool or 0/1 float
    - output: :math:`(B, C_{out}, *S)`

    Examples
    --------
    >>> model = MaskedUNet(ndim=2, conv="partial")
    >>> x = torch.randn(2, 1, 1000, 96)
    >>> live = torch.rand(2, 1, 1, 96) > 0.3
    >>> model(x, live).shape
    torch.Size([2, 1, 1000, 96])
    """

    def __init__(
        self,
        ndim: int = 2,
        conv: str = "partial",
        in_channels: int = 1,
        out_channels: int = 1,
        width: int = 24,
        depth: int = 4,
        kernel_size: int = 3,
        first_kernel_size: int = 5,
        max_width: int = 192,
        norm: str | None = None,
        activation: str | None = "leaky_relu",
        keep_live: bool = True,
        scale_input: bool = True,
        guide_channels: int = 0,
    ) -> None:
        super().__init__()
        if ndim not in (2, 3):
            raise ValueError(f"ndim must be 2 or 3, got {ndim}")
        if conv not in CONV_KINDS:
            raise ValueError(f"conv must be one of {CONV_KINDS}, got {conv!r}")
        if depth < 1:
            raise ValueError(f"depth must be >= 1, got {depth}")
        if kernel_size % 2 == 0 or first_kernel_size % 2 == 0:
            raise ValueError("kernel sizes must be odd")
        if min(in_channels, out_channels, width, max_width) < 1:
            raise ValueError("channel counts must be positive")
        if guide_channels < 0 or (guide_channels and conv == "partial"):
            raise ValueError("guide_channels must be >= 0, and 0 with partial layers (use gated or vanilla)")
        if guide_channels and guide_channels < out_channels:
            raise ValueError(f"guide_channels ({guide_channels}) must cover out_channels ({out_channels})")
        # the config holds exactly the constructor arguments (see registry.model_config)
        self.config: dict[str, Any] = {
            "ndim": ndim, "conv": conv, "in_channels": in_channels, "out_channels": out_channels,
            "width": width, "depth": depth, "kernel_size": kernel_size,
            "first_kernel_size": first_kernel_size, "max_width": max_width, "norm": norm,
            "activation": activation, "keep_live": keep_live, "scale_input": scale_input,
        }
        if guide_channels:  # absent when 0: configs of unguided models stay as they were
            self.config["guide_channels"] = guide_channels
        self.guide_channels = guide_channels
        self.ndim = ndim
        self.kind = conv
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.depth = depth
        self.keep_live = keep_live
        self.scale_input = scale_input
        self._remask = norm is not None and str(norm).lower() != "none"
        #: Memory format of the features (not part of the config): channels-last
        #: is 2-8x faster on CPU (oneDNN) and what tensor cores want; ``None``
        #: leaves the input's format.
        self.memory_format: torch.memory_format | None = (
            torch.channels_last if ndim == 2 else torch.channels_last_3d
        )
        self.widths = [min(width * 2**i, max_width) for i in range(depth + 1)]
        w = self.widths

        def block(cin: int, cout: int, k: int, stride: int = 1, first: bool = False) -> _Block:
            return _Block(conv, ndim, cin, cout, k, stride, None if first else norm, activation)

        stem_in = in_channels + guide_channels + (0 if conv == "partial" else 1)
        self.stem = block(stem_in, w[0], first_kernel_size, first=True)
        self.down = nn.ModuleList(block(w[i - 1], w[i], kernel_size, stride=2) for i in range(1, depth + 1))
        self.bottleneck = block(w[depth], w[depth], kernel_size)
        # up[j] goes from level depth-j to level depth-j-1
        self.up = nn.ModuleList(
            block(w[i] + w[i - 1], w[i - 1], kernel_size)
            for i in range(depth, 0, -1)
        )
        self.head = _PLAIN[ndim](w[0], out_channels, 1)
        if guide_channels:  # a guided network starts as the identity on its guide
            nn.init.zeros_(self.head.weight)
            nn.init.zeros_(self.head.bias)

    # ------------------------------------------------------------------ helpers
    def _check(self, x: Tensor, mask: Tensor) -> Tensor:
        """Validate and broadcast the mask to :math:`(B, 1, *S)` (bool)."""
        if x.dim() != self.ndim + 2:
            raise ValueError(
                f"{self.ndim}D model expects x of shape (B, C, {'T, X' if self.ndim == 2 else 'T, X, Y'}), "
                f"got {tuple(x.shape)}"
            )
        if x.shape[1] != self.in_channels:
            raise ValueError(f"model has {self.in_channels} input channel(s), x has {x.shape[1]}")
        target = (x.shape[0], 1, *x.shape[2:])
        try:
            shape = torch.broadcast_shapes(tuple(mask.shape), target)
        except RuntimeError:
            shape = None
        if shape != torch.Size(target):
            raise ValueError(
                f"mask of shape {tuple(mask.shape)} does not broadcast to (B, 1, *spatial) = {target}"
            )
        live = mask if mask.dtype == torch.bool else mask > 0.5
        return live.expand(target)

    def _check_guide(self, x: Tensor, guide: Tensor | None) -> None:
        """A guide exactly when the model has guide channels, of shape (B, G, *S)."""
        if not self.guide_channels:
            if guide is not None:
                raise ValueError("this model has no guide channels: call it without a guide")
            return
        want = (x.shape[0], self.guide_channels, *x.shape[2:])
        if guide is None or tuple(guide.shape) != want:
            got = "none" if guide is None else tuple(guide.shape)
            raise ValueError(f"guided model needs a guide of shape {want}, got {got}")

    def _pad(self, t: Tensor) -> Tensor:
        m = 2**self.depth
        pads: list[int] = []
        for size in reversed(t.shape[2:]):
            pads += [0, (-size) % m]
        if not any(pads):
            return t
        return F.pad(t, pads)

    def _network(self, x: Tensor, mask: Tensor) -> Tensor:
        """The U-Net proper on padded inputs; ``x`` is zero where ``mask`` is 0."""
        fmt = self.memory_format
        if self.kind != "partial":
            return self._network_plain(x, mask)
        # Partial layers output exactly 0 where their updated mask is 0 and every
        # activation maps 0 to 0, so without normalisation the features already
        # vanish outside their mask and the X * M product can be skipped.
        remask = self._remask
        cdt = torch.float64 if x.dtype == torch.float64 else torch.float32
        h, m = self.stem(x, mask)
        if fmt is not None:
            h = h.contiguous(memory_format=fmt)
        skips = [(h, m)]
        for blk in self.down:
            h, m = blk(h * m if remask else h, m)
            skips.append((h, m))
        h, m = self.bottleneck(h * m if remask else h, m)
        skips.pop()
        for blk in self.up:
            sh, sm = skips.pop()
            h = F.interpolate(h, scale_factor=2.0, mode="nearest")
            m = F.interpolate(m, scale_factor=2.0, mode="nearest")
            if remask:
                h, sh = h * m, sh * sm
            # NVIDIA's PConv U-Net concatenates the features and the (per-channel)
            # masks; the counts of that concatenated mask are m*C_up + sm*C_skip
            counts = m.to(cdt) * h.shape[1] + sm.to(cdt) * sh.shape[1]
            h = torch.cat([h, sh], dim=1)
            h, m = blk(h, counts, mask_total=h.shape[1])
        return self.head(h)

    def _network_plain(self, x: Tensor, mask: Tensor) -> Tensor:
        h = torch.cat([x, mask], dim=1)
        if self.memory_format is not None:
            h = h.contiguous(memory_format=self.memory_format)
        h, _ = self.stem(h, None)
        skips = [h]
        for blk in self.down:
            h, _ = blk(h, None)
            skips.append(h)
        h, _ = self.bottleneck(h, None)
        skips.pop()
        for blk in self.up:
            h = F.interpolate(h, scale_factor=2.0, mode="nearest")
            h, _ = blk(torch.cat([h, skips.pop()], dim=1), None)
        return self.head(h)

    # ------------------------------------------------------------------ API
    def forward(self, x: Tensor, mask: Tensor, guide: Tensor | None = None) -> Tensor:
        """Estimate the full gather from its live traces.

        Parameters
        ----------
        x : Tensor
            :math:`(B, C_{in}, *S)`; values in missing samples are ignored
            (NaN allowed).
        mask : Tensor
            Live mask broadcastable to :math:`(B, 1, *S)`, bool or 0/1.
        guide : Tensor, optional
            :math:`(B, G, *S)` dense estimates (every sample filled), in
            ``x``'s units; needed exactly when ``guide_channels`` = G > 0.

        Returns
        -------
        Tensor
            :math:`(B, C_{out}, *S)` in ``x``'s dtype (the prediction in
            autocast's); with ``keep_live`` the live samples are ``x``'s exactly
            (when ``C_{out} = C_{in}``).
        """
        live = self._check(x, mask)
        self._check_guide(x, guide)
        spatial = x.shape[2:]
        xc = torch.where(live, x, torch.zeros((), dtype=x.dtype, device=x.device))
        m = live.to(x.dtype)
        scale = None
        if self.scale_input:
            dims = tuple(range(1, x.dim()))
            acc = torch.promote_types(x.dtype, torch.float32)
            power = (xc.to(acc) ** 2).sum(dim=dims, keepdim=True)
            count = live.to(acc).sum(dim=dims, keepdim=True) * x.shape[1]
            if guide is not None:  # the dense guide counts too: live traces may be silent where it is not
                power = power + (torch.nan_to_num(guide).to(acc) ** 2).sum(dim=dims, keepdim=True)
                count = count + guide[0].numel()
            scale = (power / count.clamp_min(1.0)).sqrt().clamp_min(1e-30)
            xc = (xc / scale).to(x.dtype)
        if guide is not None:
            gc = torch.nan_to_num(guide.to(x.dtype))
            if scale is not None:
                gc = (gc / scale).to(x.dtype)
            pred = self._network(self._pad(torch.cat([xc, gc], dim=1)), self._pad(m))
            pred = pred[(slice(None), slice(None), *(slice(0, s) for s in spatial))]
            pred = pred + gc[:, : self.out_channels]
        else:
            pred = self._network(self._pad(xc), self._pad(m))
            pred = pred[(slice(None), slice(None), *(slice(0, s) for s in spatial))]
        if scale is not None:
            pred = pred.to(scale.dtype) * scale
        pred = pred.to(x.dtype)
        if self.keep_live and self.out_channels == self.in_channels:
            pred = torch.where(live, x, pred)
        return pred

    def predict(self, x: Tensor | np.ndarray, mask: Tensor | np.ndarray) -> Tensor | np.ndarray:
        """Inference convenience: eval mode, no autograd, any array-like.

        Parameters
        ----------
        x : Tensor or ndarray
            :math:`(B, C_{in}, *S)`, or one gather / cube :math:`(*S)` when
            ``in_channels == 1``.
        mask : Tensor or ndarray
            Broadcastable to ``x`` with trailing-axis (numpy) rules, e.g. a
            trace mask :math:`(X,)` for one gather :math:`(T, X)`.

        Returns
        -------
        Tensor or ndarray
            Same shape as ``x`` (``C_{out}`` channels), same kind (numpy in,
            numpy out), ``x``'s device and floating dtype.
        """
        is_numpy = not isinstance(x, Tensor)
        xt, mt = _as_tensor(x), _as_tensor(mask)
        single = xt.dim() == self.ndim
        if single:
            xt = xt.reshape(1, 1, *xt.shape)
        if mt.dim() > xt.dim():
            raise ValueError(f"mask rank {mt.dim()} exceeds the input's {xt.dim()}")
        mt = mt.reshape((1,) * (xt.dim() - mt.dim()) + tuple(mt.shape))
        param = next(self.parameters())
        out_dtype = xt.dtype if xt.is_floating_point() else torch.float32
        was_training = self.training
        try:
            self.eval()
            with torch.inference_mode():
                y = self(xt.to(param.device, param.dtype), mt.to(param.device))
        finally:
            self.train(was_training)
        y = y.to(xt.device, out_dtype)
        if single:
            y = y[0, 0] if self.out_channels == 1 else y[0]
        return y.numpy() if is_numpy else y

    def extra_repr(self) -> str:
        return f"ndim={self.ndim}, conv={self.kind!r}, widths={self.widths}, keep_live={self.keep_live}"
