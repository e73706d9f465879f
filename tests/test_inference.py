"""Sliding-window inference: windows, blending, live traces, the shipped 2-D default on data."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from seisfill.errors import SeisfillError  # noqa: E402
from seisfill.nn.inference import InferenceOptions, fill_with_model, resolve_device  # noqa: E402

RAW = {"method": "none", "gain": "none"}  # no normalisation: a fake model's output comes back as is


class ConstantModel(torch.nn.Module):
    """Returns ``value`` in missing samples and the input elsewhere; counts windows."""

    def __init__(self, ndim: int = 2, value: float = 1.0):
        super().__init__()
        self.ndim = ndim
        self.value = value
        self.weight = torch.nn.Parameter(torch.zeros(1))
        self.calls = 0
        self.windows = 0

    def forward(self, x, mask):
        self.calls += 1
        self.windows += x.shape[0]
        return torch.where(mask.expand_as(x), x, torch.full_like(x, self.value))


def test_constant_prediction_blends_to_constant_and_live_bits_kept():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((3, 150, 700)).astype(np.float32)
    live = rng.random((3, 150)) > 0.4
    model = ConstantModel(value=2.5)
    out, unreached = fill_with_model(data, live, model, InferenceOptions(normalize=RAW))
    assert not unreached.any()
    assert out.dtype == data.dtype and out.shape == data.shape
    assert np.array_equal(out[live], data[live])
    np.testing.assert_allclose(out[~live], 2.5, rtol=1e-6)


def test_only_windows_with_targets_run():
    data = np.ones((1, 320, 512), np.float32)
    live = np.ones((1, 320), bool)
    live[0, 10] = False  # one dead trace near the start
    model = ConstantModel()
    fill_with_model(data, live, model, InferenceOptions(window=(256, 64), overlap=(32, 16), normalize=RAW))
    # 3 time windows x the 1 trace window that holds trace 10 (of 7 across the gather)
    assert model.windows == 3
    model2 = ConstantModel()
    fill_with_model(data, np.ones((1, 320), bool), model2, InferenceOptions(normalize=RAW))
    assert model2.windows == 0


def test_wide_gap_widens_the_window():
    data = np.ones((1, 300, 64), np.float32)
    live = np.ones((1, 300), bool)
    live[0, 100:200] = False  # a 100-trace gap, wider than the 64-trace window
    out, unreached = fill_with_model(data, live, ConstantModel(value=3.0), InferenceOptions(normalize=RAW))
    assert not unreached.any()
    np.testing.assert_allclose(out[0, 100:200], 3.0)


def test_3d_windows():
    rng = np.random.default_rng(1)
    cube = rng.standard_normal((9, 40, 100)).astype(np.float32)
    live = rng.random((9, 40)) > 0.5
    out, unreached = fill_with_model(
        cube, live, ConstantModel(ndim=3, value=-1.0),
        InferenceOptions(window=(64, 8, 16), overlap=(8, 2, 4), normalize=RAW),
    )
    assert not unreached.any()
    assert np.array_equal(out[live], cube[live])
    np.testing.assert_allclose(out[~live], -1.0, rtol=1e-6)  # weights normalised first: 1 ulp


def test_bad_shapes_and_options():
    model = ConstantModel()
    with pytest.raises(SeisfillError, match="live mask"):
        fill_with_model(np.zeros((10, 50), np.float32), np.ones(9, bool), model)
    with pytest.raises(SeisfillError, match="precision"):
        fill_with_model(np.zeros((10, 50), np.float32), np.eye(10, dtype=bool)[0], model, InferenceOptions(precision="fp8"))
    with pytest.raises(SeisfillError, match="device"):
        resolve_device("tpu:7")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA message")
def test_cuda_request_without_cuda():
    with pytest.raises(SeisfillError, match="no CUDA"):
        resolve_device("cuda")


def test_default_model_beats_linear_on_synthetic_gather():
    from seisfill.core import fill_array
    from seisfill.masks import decimate
    from seisfill.metrics import snr_missing
    from seisfill.synthetic import random_gather

    data = random_gather(3, n_traces=96, nt=500, dt=0.004).data
    live = decimate(data.shape[0], "random50", seed=0)
    unet = fill_array(data, live, "unet", device="cpu")
    linear = fill_array(data, live, "linear")
    assert np.array_equal(unet[live], data[live])
    assert snr_missing(data, unet, ~live) > snr_missing(data, linear, ~live) + 1.0
