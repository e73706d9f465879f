"""Tests for seisfill.nn.normalize: the invertible per-patch amplitude normalisation."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from seisfill.nn.normalize import compute_gain, denormalize, normalize  # noqa: E402


@pytest.mark.parametrize("gain", ["none", "agc", "tpow"])
@pytest.mark.parametrize("method", ["percentile", "mad", "rms"])
def test_normalize_invertible(gain, method):
    rng = np.random.default_rng(1)
    t = np.arange(200)[:, None]
    x = (rng.standard_normal((200, 24)) * 1000.0 / (1 + t / 10.0)).astype(np.float32)
    live = rng.random(24) > 0.3
    x[:, ~live] = 0.0
    x[:20] = 0.0  # a muted top: the AGC floor keeps it finite
    cfg = {"gain": gain, "method": method, "dt": 0.002}
    xn, state = normalize(x, live, cfg, t_start=37)
    assert np.isfinite(xn).all()
    back = denormalize(xn, state)
    assert np.linalg.norm(back - x) <= 1e-6 * np.linalg.norm(x)
    np.testing.assert_allclose(back, x, rtol=1e-5, atol=1e-6 * np.abs(x).max())
    assert np.all(xn[:, ~live] == 0)
    if gain != "none":
        assert state.gain is not None and state.gain.shape == (200,)
    if method == "percentile":
        g = compute_gain(x, live, cfg, t_start=37)
        gx = x * (1 if g is None else g[:, None])
        values = np.abs(gx[:, live])
        assert np.isclose(np.percentile(values[values > 0], 99.0), state.scale, rtol=1e-5)
    # 3-D and torch tensors too
    cube = x.reshape(200, 4, 6)
    cn, st = normalize(cube, live.reshape(4, 6), cfg)
    back3 = denormalize(torch.from_numpy(cn), st).numpy()
    assert np.linalg.norm(back3 - cube) <= 1e-6 * np.linalg.norm(cube)


def test_normalize_silent_patch_stays_zero():
    x = np.zeros((64, 8), dtype=np.float32)
    xn, state = normalize(x, np.ones(8, bool), {"gain": "agc"})
    assert np.all(xn == 0) and np.isfinite(state.scale)


def test_normalize_mostly_muted_patch_keeps_a_sane_scale():
    """Zeros (mutes, padding) do not enter the scale: a sparse patch is not blown up."""
    x = np.zeros((128, 32), dtype=np.float32)
    x[:, :3] = np.random.default_rng(0).standard_normal((128, 3)) * 0.02
    xn, state = normalize(x, np.ones(32, bool), {"gain": "none"})
    assert 0.01 < state.scale < 0.1
    assert np.abs(xn).max() < 10
