"""The correction network: guided MaskedUNet, guide through the windows, ``refine``, guided packs."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from seisfill.classical.fx import fx_interp  # noqa: E402
from seisfill.errors import SeisfillError  # noqa: E402
from seisfill.masks import decimate  # noqa: E402
from seisfill.methods import get_method  # noqa: E402
from seisfill.methods.refine import guide_estimate  # noqa: E402
from seisfill.models import load_model, model_card  # noqa: E402
from seisfill.nn import MaskedUNet  # noqa: E402
from seisfill.nn.inference import InferenceOptions, fill_with_model  # noqa: E402
from seisfill.synthetic import random_gather  # noqa: E402

SMALL = {"ndim": 2, "conv": "gated", "width": 8, "depth": 2, "max_width": 16, "activation": "elu"}


@pytest.fixture(autouse=True)
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def gathers(n=2, n_traces=40, nt=120):
    data = np.stack([random_gather(s, n_traces=n_traces, nt=nt, dt=0.004).data for s in range(n)]).astype(np.float32)
    live = np.stack([decimate(n_traces, "random50", seed=s) for s in range(n)])
    return np.where(live[..., None], data, 0).astype(np.float32), live


def guided_model(correction: bool = False) -> MaskedUNet:
    torch.manual_seed(0)
    model = MaskedUNet(guide_channels=1, **SMALL)
    if correction:  # a trained-looking head: the output is no longer the guide
        torch.nn.init.normal_(model.head.weight, std=0.5)
    return model.eval()


def save(model: MaskedUNet, path, guide="fx"):
    from seisfill.nn.registry import model_config

    blob = {"config": model_config(model), "state_dict": model.state_dict(), "normalize": {}, "patch": [64, 32]}
    if guide is not None:
        blob["guide"] = guide
    torch.save(blob, path)
    return path


class TestGuidedUNet:
    def test_untrained_returns_the_guide_and_live_samples(self):
        model = guided_model()
        x = torch.randn(2, 1, 32, 16)
        live = torch.rand(2, 1, 1, 16) > 0.4
        guide = torch.randn(2, 1, 32, 16)
        with torch.no_grad():
            y = model(x, live, guide)
        expect = torch.where(live, x, guide)
        assert torch.equal(y[live.expand_as(y)], x[live.expand_as(x)])
        torch.testing.assert_close(y, expect, rtol=1e-6, atol=1e-6)

    def test_the_correction_depends_on_the_guide(self):
        model = guided_model(correction=True)
        x = torch.randn(1, 1, 32, 16)
        live = torch.rand(1, 1, 1, 16) > 0.4
        with torch.no_grad():
            a = model(x, live, torch.randn(1, 1, 32, 16))
            b = model(x, live, torch.randn(1, 1, 32, 16))
        assert not torch.allclose(a, b)
        assert torch.equal(a[live.expand_as(a)], b[live.expand_as(b)])

    def test_amplitude_equivariance(self):
        model = guided_model(correction=True)
        x, g = torch.randn(1, 1, 32, 16), torch.randn(1, 1, 32, 16)
        live = torch.rand(1, 1, 1, 16) > 0.4
        with torch.no_grad():
            torch.testing.assert_close(model(7.0 * x, live, 7.0 * g), 7.0 * model(x, live, g), rtol=1e-4, atol=1e-5)

    def test_silent_live_traces_with_a_loud_guide_stay_finite(self):
        model = guided_model(correction=True)
        x, live = torch.zeros(1, 1, 32, 16), torch.rand(1, 1, 1, 16) > 0.4
        with torch.no_grad():
            assert torch.isfinite(model(x, live, torch.randn(1, 1, 32, 16))).all()

    @pytest.mark.parametrize(
        "guide, message",
        [(None, "needs a guide of shape"), (torch.zeros(1, 1, 32, 8), "needs a guide of shape")],
    )
    def test_bad_guide(self, guide, message):
        with pytest.raises(ValueError, match=message):
            guided_model()(torch.zeros(1, 1, 32, 16), torch.ones(1, 1, 1, 16), guide)

    def test_unguided_model_refuses_a_guide_and_partial_layers_take_none(self):
        with pytest.raises(ValueError, match="no guide channels"):
            MaskedUNet(**SMALL)(torch.zeros(1, 1, 32, 16), torch.ones(1, 1, 1, 16), torch.zeros(1, 1, 32, 16))
        with pytest.raises(ValueError, match="partial"):
            MaskedUNet(ndim=2, conv="partial", guide_channels=1)

    def test_config_round_trip(self):
        from seisfill.nn.registry import make_model, model_config

        cfg = model_config(guided_model())
        assert cfg["guide_channels"] == 1
        assert make_model(cfg).guide_channels == 1
        assert "guide_channels" not in model_config(MaskedUNet(**SMALL))  # unguided configs unchanged


class TestGuideThroughWindows:
    def test_zero_correction_returns_the_guide_on_targets(self):
        data, live = gathers()
        guide = np.random.default_rng(0).normal(size=data.shape).astype(np.float32)  # any dense guide
        opts = InferenceOptions(window=(64, 16), overlap=(16, 4), device="cpu", normalize={"gain": "agc"})
        filled, unreached = fill_with_model(data, live, guided_model(), opts, guide=guide)
        assert not unreached.any()
        assert np.array_equal(filled[live].view(np.uint32), data[live].view(np.uint32))
        np.testing.assert_allclose(filled[~live], guide[~live], rtol=1e-4, atol=1e-5)

    def test_guide_required_and_checked(self):
        data, live = gathers(1)
        opts = InferenceOptions(window=(64, 16), overlap=(16, 4), device="cpu")
        with pytest.raises(SeisfillError, match="pass its guide"):
            fill_with_model(data, live, guided_model(), opts)
        with pytest.raises(SeisfillError, match="does not match"):
            fill_with_model(data, live, guided_model(), opts, guide=data[..., :10])
        with pytest.raises(SeisfillError, match="takes no guide"):
            fill_with_model(data, live, MaskedUNet(**SMALL).eval(), opts, guide=data)


class TestRefineMethod:
    def test_untrained_refine_is_fx_with_live_traces_bit_identical(self, tmp_path):
        data, live = gathers()
        path = save(guided_model(), tmp_path / "refine.pt")
        out = get_method("refine").function(data, live, model=str(path), device="cpu")
        assert np.array_equal(out[live].view(np.uint32), data[live].view(np.uint32))
        np.testing.assert_allclose(out[~live], fx_interp(data, live)[~live], rtol=1e-4, atol=1e-4)

    def test_through_the_fill_core_with_a_correction(self, tmp_path):
        from seisfill.core import fill_array

        data, live = gathers()
        path = save(guided_model(correction=True), tmp_path / "refine.pt")
        out = fill_array(data, live, "refine", model=str(path), device="cpu")
        assert np.array_equal(out[live].view(np.uint32), data[live].view(np.uint32))
        assert np.isfinite(out).all()
        assert not np.allclose(out[~live], fx_interp(data, live)[~live], atol=1e-3)

    def test_guide_read_from_the_weights(self, tmp_path):
        loaded = load_model(str(save(guided_model(), tmp_path / "refine.pt")))
        assert loaded.guide == "fx"
        with pytest.raises(SeisfillError, match="needs its guide named"):
            load_model(str(save(guided_model(), tmp_path / "bare.pt", guide=None)))
        with pytest.raises(SeisfillError, match="not a correction network"):
            get_method("refine").function(*gathers(1), model="gated2d", device="cpu")

    def test_shipped_card_names_its_guide(self):
        try:
            card = model_card("refine2d")
        except SeisfillError:
            pytest.skip("refine2d is not shipped in this checkout")
        assert card.facts["guide"] == "fx"
        assert load_model("refine2d").guide == "fx"

    def test_guide_estimate_falls_back_where_fx_cannot_fill(self):
        data, live = gathers(3, n_traces=24, nt=64)
        live[1] = False
        live[1, 5] = True  # one live trace: linear copies it
        live[2] = False  # none: zeros
        out = guide_estimate(data, live, "fx")
        assert np.array_equal(out[0], fx_interp(data[0], live[0]))
        assert np.array_equal(out[1], np.repeat(data[1, 5][None], 24, axis=0))
        assert not out[2].any()


class TestGuidedPack:
    def config(self, tmp_path):
        from seisfill.train.config import load_config

        return load_config("tiny", [
            "model.conv=gated", "model.guide_channels=1", "data.guide=fx", "data.guide_context=[96, 48]",
            "data.npz_margin=[4, 4]", "data.val.n_patches=4", "train.steps=3", "train.val_every=3",
            "train.ckpt_every=3", "train.progress=false", f"data.npz={tmp_path / 'pack.npz'}",
        ])

    def test_pack_train_and_load(self, tmp_path):
        from seisfill.train.data import PatchDataset, pack_npz
        from seisfill.train.loop import train

        cfg = self.config(tmp_path)
        pack_npz(cfg, tmp_path / "pack.npz", 8, 4, progress=False)
        with np.load(tmp_path / "pack.npz") as z:
            assert z["train_guide"].shape == z["train_target"].shape == (8, 72, 40)
            assert z["val_guide"].shape == (4, 64, 32)
        ds = PatchDataset(cfg, "train")
        item = ds[3]
        assert item["guide"].shape == item["x"].shape == (1, 64, 32)
        live = item["mask"][0, 0] > 0.5
        # the guide is the data on live traces, in the same gain and scale as x
        torch.testing.assert_close(item["guide"][0][:, live], item["x"][0][:, live], rtol=1e-2, atol=2e-3)
        assert (~live).any() and live.sum() >= 2
        result = train(cfg, tmp_path / "run")
        assert result.step == 3
        assert np.isfinite(result.best["val_snr"]) and "val_snr_guide" in result.best
        assert load_model(str(tmp_path / "run" / "model.pt")).guide == "fx"

    def test_guide_and_guide_channels_go_together(self, tmp_path):
        from seisfill.train.config import load_config

        with pytest.raises(SeisfillError, match="go together"):
            load_config("tiny", ["data.guide=fx"])


def test_model_card_takes_the_unseen_survey_means():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from model_cards import render_markdown, unseen_section

    report = "\n".join([
        "## Unseen real surveys", "", "Command: `python benchmarks/unseen.py --methods refine,fx`  ",
        "Date: 2026-12-08 02:00 UTC  ", "", "### Mean over the 7 unseen surveys (each weighs the same)", "",
        "| method | random50 | gap8 |", "|---|---|---|", "| refine (refine2d) | 4.2 | 5.0 |", "| fx | 3.5 | -4.9 |",
        "", "### Margin", "| x | y |",
    ])
    section = unseen_section(report)
    assert section["snr"] == {"refine (refine2d)": {"random50": 4.2, "gap8": 5.0}, "fx": {"random50": 3.5, "gap8": -4.9}}
    assert section["command"] == "python benchmarks/unseen.py --methods refine,fx"
    assert section["date"] == "2026-12-08 02:00 UTC"
    card = json.loads((Path(__file__).resolve().parents[1] / "seisfill/weights/gated2d.json").read_text())
    text = render_markdown({**card, "unseen": section})
    assert "## Surveys no model saw (2026-12-08 02:00 UTC)" in text and "| fx | 3.5 | -4.9 |" in text
