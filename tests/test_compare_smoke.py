"""Smoke test of the helpers of ``benchmarks/compare.py`` on small synthetic gathers.

The benchmark itself runs on the real files of ``../shared/data`` and takes minutes;
this only checks that its pieces (windows, masks, the pylops peer, scoring,
aggregation, tables, verdicts) fit together.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from seisfill.synthetic import synthetic_section

pytest.importorskip("pylops")

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "compare.py"


@pytest.fixture(scope="module")
def compare():
    spec = importlib.util.spec_from_file_location("seisfill_bench_compare", _PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def section() -> np.ndarray:
    return synthetic_section(48, 128, seed=3, noise_snr_db=None).clean.astype(np.float32)


def test_cut_windows(compare) -> None:
    assert compare.cut_windows(601) == [(0, 200), (200, 400), (400, 600)]
    assert compare.cut_windows(512) == [(0, 170), (170, 340), (340, 510)]
    assert compare.cut_windows(24) == [(0, 24)]


def test_masks_and_pylops_nffts(compare) -> None:
    live = compare.make_mask(24, "gap16", 0)
    assert live is not None and (~live).sum() == 16
    assert compare.make_mask(10, "gap16", 0) is None  # cannot fit: skipped
    assert compare.pylops_nffts((70, 80)) == (256, 256)  # the tutorial's case
    assert compare.pylops_nffts((200, 1501)) == (256, 2048)


def test_pylops_peer_and_scores(compare, section: np.ndarray) -> None:
    live = compare.make_mask(section.shape[0], "random50", 0)
    est = compare.pylops_fk(section, live, 0.004, niter=10)
    assert est.shape == section.shape and est.dtype == section.dtype
    np.testing.assert_array_equal(est[live], section[live])  # live traces put back
    miss, whole = compare.score(section, est, live)
    assert np.isfinite(miss) and whole > miss
    # 3-D: a cube with a trace-grid mask
    cube = np.stack([section[:16, :64]] * 4)
    live3 = compare.make_mask(cube.shape[:2], "random50", 0)
    est3 = compare.pylops_fk(cube, live3, 0.004, niter=5)
    np.testing.assert_array_equal(est3[live3], cube[live3])


def test_quality_tables_and_verdicts(compare, section: np.ndarray) -> None:
    windows = [
        compare.Window("a", compare.GROUP_2D, "w0", section, 0, 0.004),
        compare.Window("b", compare.GROUP_CDP, "w0", section[:24], 1, 0.004),
    ]
    fast_peer = {
        "seisfill linear": compare._seisfill("linear"),
        "seisfill pocs": compare._seisfill("pocs", n_iter=10),
        "pylops fk": lambda d, live, dt: compare.pylops_fk(d, live, dt, niter=5),
    }
    scores, skipped = compare.run_quality(
        windows, [], ["random50", "gap16"], methods=fast_peer, methods3={}
    )
    assert skipped == []
    assert len(scores) == 2 * 2 * 3
    cells = compare.aggregate(scores, balanced=True)
    assert cells[("seisfill linear", "random50")].count == 2
    method, value = compare.best_seisfill(cells, "random50")
    assert method.startswith("seisfill") and np.isfinite(value)
    table = compare.quality_table(cells, ["random50", "gap16"], list(fast_peer))
    assert table.count("\n") == 2 + len(fast_peer) - 1 and "**" in table
    rows, ok = compare.verdict_rows(cells, ["random50", "gap16"], "pylops fk")
    assert len(rows) == 2 and rows[0][-1] in ("PASS", "FAIL")
    assert ok == all(r[-1] == "PASS" for r in rows)
