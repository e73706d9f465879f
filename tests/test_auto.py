"""``--method auto``: the self-check that picks fx / drr / linear / the network / a blend per file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from selfcheck_data import decimated_shots

import seisfill
from seisfill.classical.fx import fx_interp
from seisfill.cli import main
from seisfill.masks import decimate
from seisfill.methods import auto as auto_module
from seisfill.methods import get_method, list_methods, sample_rows, sidecar_details
from seisfill.methods.auto import CANDIDATES, fill_auto, label, self_check
from seisfill.synthetic import random_gather


def _gathers(n: int = 4, spec: str = "random50") -> tuple[np.ndarray, np.ndarray]:
    data = np.stack([random_gather(s, n_traces=48, nt=200, dt=0.004).data for s in range(n)]).astype(np.float32)
    live = np.stack([decimate(48, spec, seed=s) for s in range(n)])
    return np.where(live[..., None], data, 0).astype(np.float32), live


@pytest.fixture
def decimated(tmp_path) -> Path:
    """The 3 synthetic shots of sample_data with half their traces killed (random50, seed 3)."""
    return decimated_shots(tmp_path)


class TestRegistry:
    def test_listed_after_the_network_methods_with_its_options(self):
        names = list_methods()
        assert names.index("auto") == names.index("unet") + 1 < names.index("fx")
        m = get_method("auto")
        # a network method where torch is installed; without torch it still runs on fx, drr and linear
        assert m.calibrate is not None and m.needs_torch == auto_module.torch_available and m.takes_target
        assert {"weights", "model", "share", "seed"} <= set(m.options)

    def test_sample_rows_spread_evenly(self):
        assert sample_rows(5, 8).tolist() == [0, 1, 2, 3, 4]
        assert sample_rows(100, 5).tolist() == [0, 25, 50, 74, 99]

    def test_sidecar_details_reads_json_attributes_only(self):
        attrs = {"fill_method": "auto", "fill_auto": '{"choice": "fx"}', "fill_model": "gated2d"}
        assert sidecar_details(attrs) == {"auto": {"choice": "fx"}}


class TestSelfCheck:
    def test_scores_every_candidate_and_keeps_the_best(self):
        pytest.importorskip("torch")
        data, live = _gathers()
        opts = get_method("auto").prepare({}, 2)
        record = self_check(data, live, ~live, opts, seed=1)
        assert set(record["scores_db"]) == {label(c) for c in CANDIDATES}
        best = max(record["scores_db"], key=record["scores_db"].get)
        assert record["choice"] == best and label(record["weights"]) == best
        assert record["gathers"] == 4 and 24 <= record["hidden"] <= 48  # 2 rounds of a fifth of ~96 live traces
        again = self_check(data, live, ~live, opts, seed=1)
        assert again == record

    def test_without_torch_the_network_is_skipped(self, monkeypatch):
        monkeypatch.setattr(auto_module, "torch_available", False)
        data, live = _gathers(spec="regular2")
        opts = get_method("auto").prepare({}, 2)
        assert opts.get("model") is None
        record = self_check(data, live, ~live, opts)
        assert not any("unet" in k for k in record["scores_db"])
        assert set(record["scores_db"]) == {"fx", "drr", "0.50 fx + 0.50 drr", "linear"}
        # regular decimation of dipping events: f-x prediction's case, by a clear margin over linear
        assert record["scores_db"]["fx"] > record["scores_db"]["linear"] + 3

    def test_given_weights_fill_as_that_blend(self):
        data, live = _gathers(n=2)
        only_fx = fill_auto(data, live, weights={"fx": 1.0})
        assert np.array_equal(only_fx[~live], fx_interp(data, live)[~live])
        opts = get_method("auto").calibrate({"weights": {"fx": 1.0}, "model": "gated2d"}, data, live, ~live)
        assert opts == {"weights": {"fx": 1.0}, "model": None}  # a blend the user gave, and no network to load


class TestOncePerFile:
    def test_in_memory_and_streaming_choose_alike_and_write_the_same_bytes(self, decimated, tmp_path, capsys):
        torch = pytest.importorskip("torch")
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # the streaming tasks' count: the network's last bits match
        try:
            memory, streamed = tmp_path / "memory.sgy", tmp_path / "streamed.sgy"
            assert main(["fill", str(decimated), str(memory), "--method", "auto", "--no-progress"]) == 0
            said = capsys.readouterr().out
            assert main(["fill", str(decimated), str(streamed), "--method", "auto", "--workers", "0",
                         "--no-progress"]) == 0
        finally:
            torch.set_num_threads(threads)
        assert "self-check chose" in said and "hidden-trace SNR dB" in said
        a = json.loads(Path(f"{memory}.seisfill.json").read_text())
        b = json.loads(Path(f"{streamed}.seisfill.json").read_text())
        assert a["auto"] == b["auto"] and a["auto"]["choice"] in a["auto"]["scores_db"]
        assert a["auto"]["gathers"] == 3 and a["method"] == "auto"
        assert memory.read_bytes() == streamed.read_bytes()

    def test_seisfill_fill_records_the_choice(self, decimated):
        ds = seisfill.read_segy(decimated)
        out = seisfill.fill(ds, "auto", weights={"fx": 0.5, "drr": 0.5})
        assert json.loads(out.attrs["fill_auto"])["choice"] == "0.50 fx + 0.50 drr"
        live = ds["live"].values
        assert np.array_equal(out["amplitude"].values[live], ds["amplitude"].values[live])
