"""Training losses: hole/valid-weighted L1 and an f-k amplitude-spectrum L1.

All losses take time-first tensors ``(B, C, T, X)`` or ``(B, C, T, X, Y)``
and masks of the same shape (or broadcastable): ``mask`` = 1 on live samples
(the network's input), ``valid`` = 1 where the reference is known (0 in
padding).  Then

* **hole L1** -- mean absolute error over missing valid samples
  (``(1 - mask) * valid``): the traces the network must invent;
* **valid L1** -- mean absolute error over live samples (``mask * valid``):
  zero when the model puts the live samples back (``keep_live``), so the
  training loop evaluates it on the raw output (``loss.on_raw_output``);
* **spectral L1** -- mean absolute difference of the (optionally
  log-compressed) amplitude spectra ``|FFT_n|`` over all spatial axes (the f-k
  spectrum of a 2-D patch, f-kx-ky of a brick) between the *composite*
  (prediction in the holes, reference on live samples) and the reference.
  Blurring a steep or aliased event removes its energy from high wavenumbers,
  which a pointwise L1 barely penalises but the spectrum does.

Each "mean" is a masked mean over the whole batch: ``sum(w |e|) / sum(w)``
(PConv weighs the two L1 terms 6:1; the weights here are ``loss.hole`` and
``loss.valid``).  The total is ``hole * L_hole + valid * L_valid + spectral *
L_spec``.  Everything is computed in float32, autocast disabled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor, nn

__all__ = ["masked_l1", "amplitude_spectrum", "spectral_loss", "FillLoss", "LOSS_DEFAULTS"]

#: Defaults of the ``loss`` config section.
LOSS_DEFAULTS: dict[str, Any] = {
    "hole": 6.0,
    "valid": 1.0,
    "spectral": 0.1,
    "spectral_log": True,
    "spectral_eps": 1.0,
    "on_raw_output": True,
}


def masked_l1(pred: Tensor, target: Tensor, weight: Tensor) -> Tensor:
    """``sum(weight * |pred - target|) / max(sum(weight), 1)`` (weight broadcast to pred)."""
    w = torch.broadcast_to(weight, pred.shape).to(torch.float32)
    err = (pred.float() - target.float()).abs()
    return (err * w).sum() / w.sum().clamp_min(1.0)


def amplitude_spectrum(x: Tensor, ndim: int, log: bool = True, eps: float = 1.0) -> Tensor:
    """``|FFT|`` over the last ``ndim`` axes (orthonormal, real FFT), optionally ``log1p(|F| / eps)``.

    The modulus is ``sqrt(re^2 + im^2 + 1e-12)``, whose gradient is finite at 0.
    """
    dims = tuple(range(-ndim, 0))
    spec = torch.fft.rfftn(x.float(), dim=dims, norm="ortho")
    amp = torch.sqrt(spec.real.square() + spec.imag.square() + 1e-12)
    return torch.log1p(amp / eps) if log else amp


def spectral_loss(pred: Tensor, target: Tensor, ndim: int, log: bool = True, eps: float = 1.0) -> Tensor:
    """Mean ``|A(pred) - A(target)|`` over all frequency bins (0 for identical inputs)."""
    with torch.autocast(device_type=pred.device.type, enabled=False):
        a = amplitude_spectrum(pred, ndim, log, eps)
        b = amplitude_spectrum(target, ndim, log, eps)
        return (a - b).abs().mean()


class FillLoss(nn.Module):
    """The weighted sum of the three losses, configured by the ``loss`` section.

    ``forward(pred, target, mask, valid)`` returns ``(total, parts)`` where
    ``parts`` maps ``"hole"``, ``"valid"``, ``"spectral"`` to detached
    (unweighted) 0-d tensors.
    """

    def __init__(self, cfg: Mapping[str, Any] | None = None, ndim: int = 2):
        super().__init__()
        c = dict(LOSS_DEFAULTS)
        c.update(cfg or {})
        self.w_hole = float(c["hole"])
        self.w_valid = float(c["valid"])
        self.w_spec = float(c["spectral"])
        self.log = bool(c["spectral_log"])
        self.eps = float(c["spectral_eps"])
        self.ndim = int(ndim)

    def forward(self, pred: Tensor, target: Tensor, mask: Tensor, valid: Tensor | None = None) -> tuple[Tensor, dict[str, Tensor]]:
        with torch.autocast(device_type=pred.device.type, enabled=False):
            pred = pred.float()
            target = target.float()
            mask = mask.float()
            valid = torch.ones_like(mask) if valid is None else valid.float()
            hole_w = (1.0 - mask) * valid
            live_w = mask * valid
            zero = pred.new_zeros(())
            l_hole = masked_l1(pred, target, hole_w) if self.w_hole else zero
            l_valid = masked_l1(pred, target, live_w) if self.w_valid else zero
            if self.w_spec:
                ref = target * valid
                comp = (mask * target + (1.0 - mask) * pred) * valid
                l_spec = spectral_loss(comp, ref, self.ndim, self.log, self.eps)
            else:
                l_spec = zero
            total = self.w_hole * l_hole + self.w_valid * l_valid + self.w_spec * l_spec
        parts = {"hole": l_hole.detach(), "valid": l_valid.detach(), "spectral": l_spec.detach()}
        return total, parts
