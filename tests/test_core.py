"""The fill core (seisfill.core): fill_array, fill_block, fill_targets, the thread policy."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from seisfill import SeisfillError
from seisfill.core import fill_array, fill_block, fill_targets
from seisfill.methods import Method, register_method, unregister_method


def _gathers(n_gather=3, n_trace=16, nt=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n_gather, n_trace, nt)).astype(np.float32)


@pytest.fixture
def spy():
    """A registered method that records what it was given and fills with the row's live mean."""
    calls = []

    def fill_mean(data, live, *, scale=1.0, whole=False, workers=None, target=None):
        calls.append({"shape": data.shape, "workers": workers, "target": target})
        mean = (data * live[..., None]).sum(axis=-2, keepdims=True) / np.maximum(live.sum(-1), 1)[..., None, None]
        return np.broadcast_to(scale * mean, data.shape).astype(data.dtype)

    register_method(Method("spy_mean", fill_mean, "test", takes_target=True, thread_option="workers",
                           is_3d=lambda opts: bool(opts.get("whole"))))
    yield calls
    unregister_method("spy_mean")


def test_fill_array_keeps_live_traces_bit_for_bit():
    data = _gathers()
    live = np.ones(data.shape[:-1], bool)
    live[:, [2, 9]] = False
    out = fill_array(data, live, "linear")
    assert np.array_equal(out[live].view(np.uint32), data[live].view(np.uint32))
    assert not np.array_equal(out[~live], data[~live])


def test_fill_block_sends_only_rows_with_targets_and_changes_only_targets(spy):
    data = _gathers()
    live = np.ones(data.shape[:-1], bool)
    live[0, 3] = live[2, [5, 6]] = False
    target = ~live
    target[2, 6] = False  # e.g. padding: neither live nor filled
    out = fill_block(data, live, target, "spy_mean", {})
    assert [c["shape"] for c in spy] == [(2, 16, 32)]  # gathers 0 and 2
    assert np.array_equal(spy[0]["target"], target[[0, 2]])
    changed = np.any(out != data, axis=-1)
    assert np.array_equal(changed, target)
    expect = data[0][live[0]].mean(axis=0)
    np.testing.assert_allclose(out[0, 3], expect, rtol=1e-5)


def test_fill_block_gives_a_3d_method_the_whole_block(spy):
    data = _gathers()
    live = np.ones(data.shape[:-1], bool)
    live[1, 4] = False
    fill_block(data, live, ~live, "spy_mean", {"whole": True})
    assert spy[0]["shape"] == data.shape


def test_fill_block_thread_policy_and_no_work_without_targets(spy):
    data = _gathers()
    live = np.ones(data.shape[:-1], bool)
    assert fill_block(data, live, ~live, "spy_mean", {}) is data and spy == []
    live[0, 0] = False
    fill_block(data, live, ~live, "spy_mean", {}, threads=1)
    fill_block(data, live, ~live, "spy_mean", {})
    assert [c["workers"] for c in spy] == [1, None]


def test_fill_block_equals_the_dataset_path_for_a_real_method():
    data = _gathers(seed=4)
    live = np.ones(data.shape[:-1], bool)
    live[:, 1::3] = False
    out = fill_block(data, live, ~live, "fx", {})
    assert np.array_equal(out, fill_array(data, live, "fx"))


def test_fill_targets_refuses_a_gather_with_nothing_to_fill_from():
    live = np.ones((2, 4), bool)
    live[1] = False
    ds = xr.Dataset({"amplitude": (("gather", "trace", "time"), np.zeros((2, 4, 3), np.float32)),
                     "live": (("gather", "trace"), live), "pad": (("gather", "trace"), np.zeros_like(live))},
                    coords={"gather": [10, 11]})
    with pytest.raises(SeisfillError, match="gather 11 has no live traces"):
        fill_targets(ds)
    assert not fill_targets(ds, skip_empty=True).any()
