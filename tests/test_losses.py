"""Tests for seisfill.train.losses: weighted L1 terms and the f-k spectral loss."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from seisfill.train.losses import FillLoss, amplitude_spectrum, masked_l1, spectral_loss  # noqa: E402


def _pair():
    pred = torch.tensor([[[[1.0, 2.0, 0.0], [3.0, -1.0, 4.0]]]])  # (1, 1, T=2, X=3)
    target = torch.tensor([[[[0.0, 2.0, 1.0], [1.0, -1.0, 1.0]]]])
    mask = torch.tensor([[[[1.0, 0.0, 1.0], [1.0, 0.0, 1.0]]]])  # trace 1 missing
    valid = torch.tensor([[[[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]]])  # trace 2 is padding
    return pred, target, mask, valid


def test_masked_l1_by_hand():
    pred, target, mask, valid = _pair()
    # |pred - target| = [[1, 0, 1], [2, 0, 3]]
    hole = masked_l1(pred, target, (1 - mask) * valid)  # trace 1: errors 0, 0
    live = masked_l1(pred, target, mask * valid)  # trace 0: errors 1, 2
    assert hole.item() == pytest.approx(0.0)
    assert live.item() == pytest.approx(1.5)
    assert masked_l1(pred, target, torch.zeros_like(mask)).item() == 0.0  # no weight: 0, not NaN
    # broadcast trace mask (B, 1, 1, X)
    w = torch.tensor([[[[0.0, 0.0, 1.0]]]])
    assert masked_l1(pred, target, w).item() == pytest.approx((1 + 3) / 2)


def test_fill_loss_weights_by_hand():
    pred, target, mask, valid = _pair()
    pred = pred.clone()
    pred[..., 1] = torch.tensor([5.0, 1.0])  # hole errors |5-2| = 3, |1+1| = 2 -> mean 2.5
    crit = FillLoss({"hole": 6.0, "valid": 1.0, "spectral": 0.0}, ndim=2)
    total, parts = crit(pred, target, mask, valid)
    assert parts["hole"].item() == pytest.approx(2.5)
    assert parts["valid"].item() == pytest.approx(1.5)
    assert parts["spectral"].item() == 0.0
    assert total.item() == pytest.approx(6 * 2.5 + 1 * 1.5)
    crit2 = FillLoss({"hole": 2.0, "valid": 0.5, "spectral": 3.0}, ndim=2)
    total2, parts2 = crit2(pred, target, mask, valid)
    assert parts2["spectral"].item() > 0
    assert total2.item() == pytest.approx(2 * 2.5 + 0.5 * 1.5 + 3 * parts2["spectral"].item(), rel=1e-6)


@pytest.mark.parametrize("ndim,shape", [(2, (2, 1, 32, 16)), (3, (1, 1, 16, 8, 8))])
@pytest.mark.parametrize("log", [True, False])
def test_spectral_loss_zero_iff_identical(ndim, shape, log):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(shape, generator=g)
    assert spectral_loss(x, x.clone(), ndim, log).item() == 0.0
    y = x + 0.1 * torch.randn(shape, generator=g)
    assert spectral_loss(y, x, ndim, log).item() > 0
    # a blurred (smoothed across traces) copy loses high wavenumbers: penalised
    blurred = 0.5 * (x + torch.roll(x, 1, dims=3))
    assert spectral_loss(blurred, x, ndim, log).item() > 0


def test_spectrum_is_fk_amplitude():
    x = torch.zeros(1, 1, 16, 8)
    x[0, 0, 3, 2] = 1.0  # a spike has a flat amplitude spectrum
    amp = amplitude_spectrum(x, 2, log=False)
    assert amp.shape == (1, 1, 16, 5)
    torch.testing.assert_close(amp, torch.full_like(amp, 1.0 / (16 * 8) ** 0.5), atol=1e-5, rtol=1e-4)


def test_gradients_finite():
    g = torch.Generator().manual_seed(1)
    target = torch.randn(2, 1, 32, 16, generator=g)
    mask = (torch.rand(2, 1, 1, 16, generator=g) > 0.5).float().expand(-1, -1, 32, -1)
    crit = FillLoss({"hole": 6.0, "valid": 1.0, "spectral": 0.5}, ndim=2)
    for pred0 in (torch.zeros_like(target), target.clone(), torch.randn(2, 1, 32, 16, generator=g)):
        pred = pred0.clone().requires_grad_(True)
        total, _ = crit(pred, target, mask)
        total.backward()
        assert torch.isfinite(total)
        assert torch.isfinite(pred.grad).all()
    # bf16 predictions (autocast output) are accepted and give float32 losses
    pred = target.to(torch.bfloat16).requires_grad_(True)
    total, _ = crit(pred, target, mask)
    total.backward()
    assert total.dtype == torch.float32 and torch.isfinite(pred.grad.float()).all()
