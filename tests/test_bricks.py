"""Bricks with a halo and their seam blending (seisfill.bricks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import seisfill
from seisfill import bricks as B
from seisfill.core import fill_block
from seisfill.metrics import snr_missing
from seisfill.simulate import decimate_dataset

F3 = Path(__file__).resolve().parents[2] / "shared" / "data" / "f3.sgy"


def test_plan_bricks_skips_bricks_without_targets_and_limits_the_seam_width():
    has = np.zeros(23, dtype=bool)
    has[[1, 7, 13, 20]] = True
    bounds = [(a, min(23, a + 6)) for a in range(0, 23, 6)]
    plan = B.plan_bricks(bounds, has, halo=4)
    assert [(b.a, b.b, b.lo, b.hi) for b in plan] == [(0, 6, 0, 10), (6, 12, 2, 16), (12, 18, 8, 22), (18, 23, 14, 23)]
    # width = min(halo, half of each neighbour's size); none at the cube's edges
    assert [(b.left, b.right) for b in plan] == [(0, 3), (3, 3), (3, 2), (2, 0)]
    assert plan[1].needed == (3, 15) and plan[1].own == (9, 9)
    has[7] = False  # the second brick has nothing to fill: not computed, no seam with it
    plan = B.plan_bricks(bounds, has, halo=4)
    assert [(b.a, b.left, b.right) for b in plan] == [(0, 0, 0), (12, 0, 2), (18, 2, 0)]
    assert B.plan_bricks(bounds, has, halo=0)[1].right == 0


def test_seam_weights_are_a_partition_of_unity_falling_across_the_seam():
    left, right = B.seam_weights(4)
    assert left.dtype == np.float32 and left.shape == (8,)
    np.testing.assert_allclose(left + right, 1.0, atol=1e-7)
    assert np.all(np.diff(left) < 0) and left[0] > 0.95 and left[-1] < 0.05
    np.testing.assert_allclose(left, right[::-1], atol=1e-7)  # symmetric about the seam


def test_assemble_core_takes_its_own_rows_and_blends_the_seam_zones():
    rng = np.random.default_rng(0)
    n, nx, nt = 12, 5, 7
    original = rng.standard_normal((n, nx, nt)).astype(np.float32)
    target = rng.random((n, nx)) < 0.5
    plan = B.plan_bricks([(0, 4), (4, 8), (8, 12)], target.any(axis=1), halo=2)
    est = {b.a: rng.standard_normal((b.hi - b.lo, nx, nt)).astype(np.float32) for b in plan}
    mid = plan[1]
    core = B.assemble_core(mid, original[4:8], target[4:8], est[4], (plan[0], est[0]), (plan[2], est[8]))
    live = ~target[4:8]
    assert np.array_equal(core[live], original[4:8][live])
    wl, wr = B.seam_weights(2)
    for r in range(4, 8):
        for c in np.flatnonzero(target[r]):
            own = est[4][r - mid.lo, c]
            if r < 6:  # zone of the seam at row 4: rows 2..5, this brick on the right
                z = r - 2
                expect = wl[z] * est[0][r - plan[0].lo, c] + wr[z] * own
            else:  # zone of the seam at row 8: rows 6..9, this brick on the left
                z = r - 6
                expect = wl[z] * own + wr[z] * est[8][r - plan[2].lo, c]
            np.testing.assert_allclose(core[r - 4, c], expect, rtol=1e-6)


def test_lazy_bricks_build_a_graph_and_fill_one_brick_per_task():
    from seisfill.synthetic import synthetic_cube

    synth = synthetic_cube(n_inline=16, n_crossline=12, nt=64, seed=3)
    data = synth.data.astype(np.float32)
    rng = np.random.default_rng(1)
    live = rng.random(data.shape[:2]) > 0.3
    calls = []

    def counting(brick, brick_live, brick_target):
        calls.append(brick.shape)
        return fill_block(brick, brick_live, brick_target, "pocs", {"ndim": 3, "workers": 1})

    import dask.array as da

    arr = da.from_array(np.where(live[..., None], data, 0), chunks=(4, -1, -1))
    lazy = B.fill_bricks_lazy(arr, live, ~live, counting, halo=2)
    assert calls == [] and lazy.chunks[0] == (4, 4, 4, 4)
    out = lazy.compute(scheduler="synchronous")
    # read rows: 0..6, 2..10, 6..14, 10..16
    assert sorted(c[0] for c in calls) == [6, 6, 8, 8]
    assert np.array_equal(out[live], data[live])
    assert snr_missing(data, out, ~live) > 6.0


@pytest.mark.skipif(not F3.exists(), reason="f3.sgy not available")
def test_lazy_bricks_on_the_f3_cube_match_the_whole_cube_and_beat_no_halo():
    ref = seisfill.read_segy(F3)
    dec = decimate_dataset(ref, "random30", seed=3)
    miss = ~dec["live"].values
    truth = ref["amplitude"].values
    whole = seisfill.fill(dec, "pocs", ndim=3)["amplitude"].values
    lazy = seisfill.fill(dec.chunk({"inline": 6}), "pocs", ndim=3, halo=3)
    assert lazy["amplitude"].chunks is not None  # still lazy
    blended = lazy["amplitude"].values
    cut = seisfill.fill(dec.chunk({"inline": 6}), "pocs", ndim=3, halo=0)["amplitude"].values
    live = dec["live"].values
    assert np.array_equal(blended[live].view(np.uint32), dec["amplitude"].values[live].view(np.uint32))
    snr_whole, snr_blend, snr_cut = (snr_missing(truth, x, miss) for x in (whole, blended, cut))
    assert snr_blend > snr_cut + 0.1
    assert snr_blend > snr_whole - 0.5
