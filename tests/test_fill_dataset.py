"""seisfill.fill on datasets: only the missing slots change, one default method, the method recorded."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from synthetic_checks import dipping_events

import seisfill
from seisfill import SeisfillError
from seisfill.fill_dataset import fill
from seisfill.metrics import snr


class TestFillDataset:
    def test_only_missing_change(self):
        data = dipping_events()[None]
        live = np.ones((1, 64), bool)
        live[0, [5, 6, 40]] = False
        ds = xr.Dataset(
            {
                "amplitude": (("gather", "trace", "time"), np.where(live[..., None], data, 0)),
                "live": (("gather", "trace"), live),
                "pad": (("gather", "trace"), np.zeros_like(live)),
            }
        )
        out = fill(ds, "linear")
        assert out["filled"].values.sum() == 3
        assert np.array_equal(out["amplitude"].values[live], data[live])
        assert snr(data, out["amplitude"].values) > 25
        assert out.attrs["fill_method"] == "linear"

    def test_unknown_method(self):
        ds = xr.Dataset({"amplitude": (("g", "t", "time"), np.zeros((1, 3, 4))), "live": (("g", "t"), np.ones((1, 3), bool))})
        with pytest.raises(SeisfillError, match="unknown method"):
            fill(ds, "kriging")

    def test_default_is_the_registry_default(self):
        import inspect

        assert inspect.signature(fill).parameters["method"].default == seisfill.DEFAULT_METHOD


def test_network_method_records_its_model():
    pytest.importorskip("torch")
    data = dipping_events(n_trace=48, nt=128)[None]
    live = np.ones((1, 48), bool)
    live[0, 20:23] = False
    ds = xr.Dataset({"amplitude": (("gather", "trace", "time"), np.where(live[..., None], data, 0)),
                     "live": (("gather", "trace"), live), "pad": (("gather", "trace"), np.zeros_like(live))})
    out = fill(ds, "unet", device="cpu")
    assert out.attrs["fill_method"] == "unet" and out.attrs["fill_model"] == "gated2d"
    assert np.array_equal(out["amplitude"].values[live], data[live])


SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.mark.parametrize("name, regularize, digest", [
    ("penobscot_xl1155_w200_dead.sgy", False, "ccd2306cb1eccf2d58c3276d4ccc6b1da00669ba525953494e4c343a35e15caf"),
    ("synthetic_shots_gaps.sgy", True, "f66336fe88b507fc13e0ce72d2ece3edc193409d411e865117e3b47f222fe5c3"),
])
def test_linear_fill_writes_the_bytes_it_always_wrote(tmp_path, name, regularize, digest):
    """Pinned output of ``seisfill fill --method linear`` (and --regularize), as before the method registry."""
    ds = seisfill.read_segy(SAMPLES / name)
    if regularize:
        ds = seisfill.regularize(ds)
    out = tmp_path / "filled.sgy"
    seisfill.write_segy(fill(ds, "linear"), out, template=SAMPLES / name)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest


@pytest.fixture(scope="module")
def shots_dead(tmp_path_factory) -> xr.Dataset:
    """12 synthetic shot gathers of 40 traces, about 10 % of them dead."""
    from seisfill.synthetic import write_synthetic_segy

    sgy = tmp_path_factory.mktemp("shots") / "shots.sgy"
    write_synthetic_segy(sgy, n_gathers=12, traces_per_gather=40, nt=200, dt=0.004, seed=3, dead_fraction=0.1,
                         drop_fraction=0.0)
    return seisfill.read_segy(sgy)


def _bar_lines(err: str) -> list[str]:
    return [line for line in err.replace("\r", "\n").splitlines() if line.startswith("fill:")]


@pytest.mark.parametrize("method", ["linear", "fx", "pocs"])
def test_progress_gives_the_bytes_of_one_call(shots_dead, method, monkeypatch, capsys):
    """One bar over the gathers; methods whose gathers are independent run in groups so that it moves,
    the others (f-k POCS picks its window per call) in one call, as without a bar."""
    import seisfill.fill_dataset as module

    calls = []
    real = module.fill_block
    monkeypatch.setattr(module, "fill_block", lambda data, *a, **k: calls.append(len(data)) or real(data, *a, **k))
    quiet = fill(shots_dead, method)
    assert calls == [12] and capsys.readouterr().err == ""
    calls.clear()
    shown = fill(shots_dead, method, progress=True)
    assert calls == ([12] if method == "pocs" else [1] * 12)
    assert shown["amplitude"].values.tobytes() == quiet["amplitude"].values.tobytes()
    assert shown.attrs == quiet.attrs
    bars = _bar_lines(capsys.readouterr().err)
    assert bars and "12/12" in bars[-1] and "gather/s" in bars[-1]


def test_progress_on_dask_data_counts_each_gather_once(shots_dead, tmp_path, capsys):
    """A writer that computes the lazy fill piece by piece fills chunks more than once: the bar still ends at 12/12."""
    lazy = fill(shots_dead.chunk({"gather": 5}), "linear", progress=True)
    assert lazy["amplitude"].chunks is not None and _bar_lines(capsys.readouterr().err)[-1].startswith("fill:   0%")
    seisfill.write_segy(lazy, tmp_path / "a.sgy", chunk_bytes=40 * 1000)  # 12 pieces: chunks computed again
    bars = _bar_lines(capsys.readouterr().err)
    assert "12/12" in bars[-1] and not any("13/12" in b for b in bars)
    seisfill.write_segy(fill(shots_dead, "linear"), tmp_path / "b.sgy")
    assert (tmp_path / "a.sgy").read_bytes() == (tmp_path / "b.sgy").read_bytes()


def test_progress_over_the_bricks_of_a_dask_backed_cube(tmp_path, capsys):
    from segy_factory import make_cube

    from seisfill.simulate import decimate_dataset

    src = make_cube(tmp_path / "cube.sgy", n_inline=10, n_crossline=8, n_samples=32)
    ds = decimate_dataset(seisfill.read_segy(src.path), "random30", seed=1).chunk({"inline": 4})
    quiet = fill(ds, "pocs", ndim=3, halo=2, workers=1)["amplitude"].values
    shown = fill(ds, "pocs", ndim=3, halo=2, workers=1, progress=True)["amplitude"].values
    assert shown.tobytes() == quiet.tobytes()
    bars = _bar_lines(capsys.readouterr().err)
    assert "3/3" in bars[-1] and "brick/s" in bars[-1]
