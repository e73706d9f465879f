"""Masked U-Nets and the model registry: seisfill.nn.unet, seisfill.nn.registry."""

from __future__ import annotations

import contextlib
import json
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

from seisfill.nn import (  # noqa: E402
    CONV_KINDS,
    MaskedUNet,
    PartialConv2d,
    available_models,
    count_parameters,
    flops_per_sample,
    make_model,
    model_config,
)

SMALL = {"width": 8, "depth": 3, "max_width": 32}


@contextlib.contextmanager
def one_thread():
    """Tiny models train faster (and far steadier on a busy machine) on one thread."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


def trace_mask(batch, shape, p=0.3, seed=0):
    """Live-trace mask (B, 1, 1, *traces) as float 0/1; at least one trace live."""
    g = torch.Generator().manual_seed(seed)
    live = (torch.rand(batch, 1, 1, *shape[1:], generator=g) > p).float()
    live.view(batch, -1)[:, 0] = 1.0
    return live


def plane_waves(nt=48, nx=24, dt=0.004):
    """Three dipping Ricker events (25 Hz), (nt, nx)."""
    t = torch.arange(nt, dtype=torch.float32).unsqueeze(1) * dt
    x = torch.arange(nx, dtype=torch.float32).unsqueeze(0)
    out = torch.zeros(nt, nx)
    for t0, p, a in ((0.05, 0.002, 1.0), (0.1, -0.0015, -0.7), (0.15, 0.0005, 0.5)):
        arg = (math.pi * 25.0 * (t - t0 - p * x)) ** 2
        out += a * (1 - 2 * arg) * torch.exp(-arg)
    return out


class TestMaskedUNet:
    @pytest.mark.parametrize("conv", CONV_KINDS)
    @pytest.mark.parametrize("shape", [(2, 1, 37, 29), (1, 1, 21, 17, 9)])
    def test_shapes_and_live_samples(self, conv, shape):
        torch.manual_seed(0)
        model = MaskedUNet(ndim=len(shape) - 2, conv=conv, **SMALL)
        x = torch.randn(shape)
        live = trace_mask(shape[0], shape[2:])
        y = model(x, live)
        assert y.shape == x.shape and y.dtype == x.dtype
        keep = live.bool().expand_as(x)
        assert torch.equal(y[keep], x[keep])  # live samples exactly back
        assert torch.isfinite(y).all()
        assert not torch.equal(y[~keep], x[~keep])  # the gaps are filled

    @pytest.mark.parametrize("batch", [0, 1, 2])
    def test_cardinality(self, batch):
        model = MaskedUNet(conv="partial", **SMALL)
        x = torch.randn(batch, 1, 20, 12)
        assert model(x, trace_mask(max(batch, 1), (20, 12))[:batch]).shape == x.shape

    def test_defaults(self):
        model = MaskedUNet()
        assert model.kind == "partial" and model.ndim == 2 and model.depth == 4
        assert model.widths == [24, 48, 96, 192, 192]
        assert model.keep_live and model.scale_input

    @pytest.mark.parametrize("conv", CONV_KINDS)
    def test_gradients_reach_all_parameters(self, conv):
        torch.manual_seed(0)
        model = MaskedUNet(conv=conv, norm="group", **SMALL)
        x = torch.randn(2, 1, 24, 16)
        live = trace_mask(2, (24, 16), seed=1)
        model(x, live).square().sum().backward()
        for name, p in model.named_parameters():
            assert p.grad is not None and torch.isfinite(p.grad).all(), name
            assert p.grad.abs().sum() > 0, name

    def test_overfit_plane_waves(self):
        torch.manual_seed(0)
        truth = plane_waves().reshape(1, 1, 48, 24)
        live = torch.ones(1, 1, 1, 24)
        live[..., [3, 7, 8, 13, 17, 18, 21]] = 0.0
        hole = (1 - live).expand_as(truth)
        x = truth * live
        model = MaskedUNet(conv="partial", width=8, depth=3)
        opt = torch.optim.Adam(model.parameters(), lr=3e-3)

        def loss():
            return ((model(x, live) - truth).abs() * hole).sum() / hole.sum()

        with one_thread():
            initial = loss().item()
            for _ in range(150):
                opt.zero_grad()
                value = loss()
                value.backward()
                opt.step()
            final = loss().item()
        assert final < 0.3 * initial, (initial, final)

    def test_keep_live_false(self):
        torch.manual_seed(0)
        model = MaskedUNet(keep_live=False, **SMALL)
        x = torch.randn(1, 1, 16, 16)
        live = trace_mask(1, (16, 16))
        y = model(x, live)
        keep = live.bool().expand_as(x)
        assert not torch.equal(y[keep], x[keep])
        model.keep_live = True
        y2 = model(x, live)
        torch.testing.assert_close(y2[~keep], y[~keep])

    def test_mask_forms(self):
        torch.manual_seed(0)
        model = MaskedUNet(**SMALL)
        x = torch.randn(2, 1, 20, 12)
        live = trace_mask(2, (20, 12))
        y = model(x, live)
        torch.testing.assert_close(model(x, live.bool()), y)
        torch.testing.assert_close(model(x, live.expand(-1, -1, 20, -1)), y)
        torch.testing.assert_close(model(x[:1], live[0, 0, 0]), y[:1])  # (X,) broadcast

    def test_missing_values_ignored(self):
        torch.manual_seed(0)
        model = MaskedUNet(conv="gated", **SMALL)
        x = torch.randn(1, 1, 20, 12)
        live = trace_mask(1, (20, 12))
        dead = ~live.bool().expand_as(x)
        noisy = x.clone()
        noisy[dead] = float("nan")
        y1, y2 = model(x, live), model(noisy, live)
        assert torch.isfinite(y2).all()
        torch.testing.assert_close(y1, y2)

    @pytest.mark.parametrize("conv", CONV_KINDS)
    def test_amplitude_equivariance(self, conv):
        torch.manual_seed(0)
        model = MaskedUNet(conv=conv, **SMALL).double()
        x = torch.randn(2, 1, 16, 16, dtype=torch.float64)
        live = trace_mask(2, (16, 16)).double()
        torch.testing.assert_close(model(1e4 * x, live), 1e4 * model(x, live))

    def test_all_missing(self):
        model = MaskedUNet(**SMALL)
        y = model(torch.randn(1, 1, 16, 8), torch.zeros(1, 1, 1, 8))
        assert torch.isfinite(y).all()

    def test_decoder_counts_match_multichannel_mask(self):
        # the U-Net passes live-channel counts instead of NVIDIA's concatenated
        # per-channel masks: same result as a multi_channel partial conv
        torch.manual_seed(0)
        conv = PartialConv2d(5, 4, 3, padding=1, multi_channel=True, return_mask=True)
        a, b = torch.randn(2, 3, 8, 6), torch.randn(2, 2, 8, 6)
        ma, mb = trace_mask(2, (8, 6), seed=1).expand(-1, -1, 8, -1), trace_mask(2, (8, 6), seed=2).expand(-1, -1, 8, -1)
        x = torch.cat([a * ma, b * mb], dim=1)
        y_ref, m_ref = conv(x, torch.cat([ma.expand(-1, 3, -1, -1), mb.expand(-1, 2, -1, -1)], dim=1))
        from seisfill.nn import partial_conv_mask

        ru = partial_conv_mask(3 * ma + 2 * mb, (3, 3), padding=1, window=5 * 9.0)
        y, m = conv(x, None, ratio_update=ru)
        torch.testing.assert_close(y, y_ref)
        assert torch.equal(m[:, :1], m_ref[:, :1])

    @pytest.mark.parametrize("norm", ["batch", "instance", "group"])
    def test_norms(self, norm):
        model = MaskedUNet(norm=norm, **SMALL)
        x = torch.randn(2, 1, 24, 16)
        y = model(x, trace_mask(2, (24, 16)))
        assert torch.isfinite(y).all()
        model.eval()
        assert torch.isfinite(model(x, trace_mask(2, (24, 16)))).all()

    def test_multichannel_io(self):
        model = MaskedUNet(in_channels=3, out_channels=3, **SMALL)
        x = torch.randn(2, 3, 20, 12)
        live = trace_mask(2, (20, 12))
        y = model(x, live)
        keep = live.bool().expand_as(x)
        assert y.shape == x.shape and torch.equal(y[keep], x[keep])
        model = MaskedUNet(in_channels=3, out_channels=1, **SMALL)
        assert model(x, live).shape == (2, 1, 20, 12)

    def test_memory_formats(self):
        torch.manual_seed(0)
        model = MaskedUNet(**SMALL)
        x = torch.randn(2, 1, 24, 16)
        live = trace_mask(2, (24, 16))
        y = model(x, live)
        model.memory_format = None
        torch.testing.assert_close(model(x, live), y)
        model = model.to(memory_format=torch.channels_last)
        torch.testing.assert_close(model(x.contiguous(memory_format=torch.channels_last), live), y)

    @pytest.mark.parametrize("conv", CONV_KINDS)
    def test_autocast_bf16_cpu(self, conv):
        torch.manual_seed(0)
        model = MaskedUNet(conv=conv, **SMALL)
        x = torch.randn(1, 1, 24, 16)
        live = trace_mask(1, (24, 16))
        with torch.autocast("cpu", dtype=torch.bfloat16):
            y = model(x, live)
        keep = live.bool().expand_as(x)
        assert y.dtype == torch.float32 and torch.equal(y[keep], x[keep])
        assert torch.isfinite(y).all()
        ref = model(x, live)
        assert (y - ref).abs().max() < 0.1 * ref.abs().max() + 1e-3

    def test_predict(self):
        torch.manual_seed(0)
        model = MaskedUNet(**SMALL).train()
        gather = np.random.default_rng(0).standard_normal((30, 14)).astype(np.float32)
        live = np.ones(14, dtype=bool)
        live[[2, 5, 6]] = False
        out = model.predict(gather, live)
        assert isinstance(out, np.ndarray) and out.shape == gather.shape and out.dtype == np.float32
        np.testing.assert_array_equal(out[:, live], gather[:, live])
        assert model.training  # mode restored
        t = model.predict(torch.from_numpy(gather)[None, None], torch.from_numpy(live)[None, None, None])
        assert isinstance(t, torch.Tensor) and t.shape == (1, 1, 30, 14)
        np.testing.assert_allclose(t[0, 0].numpy(), out, rtol=1e-6, atol=1e-6)

    def test_exception(self):
        with pytest.raises(ValueError, match="ndim"):
            MaskedUNet(ndim=1)
        with pytest.raises(ValueError, match="conv"):
            MaskedUNet(conv="deformable")
        with pytest.raises(ValueError, match="odd"):
            MaskedUNet(kernel_size=4)
        model = MaskedUNet(**SMALL)
        with pytest.raises(ValueError, match="expects x"):
            model(torch.randn(1, 16, 16), torch.ones(1, 1, 16))
        with pytest.raises(ValueError, match="input channel"):
            model(torch.randn(1, 2, 16, 16), torch.ones(1, 1, 1, 16))
        with pytest.raises(ValueError, match="broadcast"):
            model(torch.randn(1, 1, 16, 16), torch.ones(1, 1, 1, 15))

    @pytest.mark.gpu
    @pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
    @pytest.mark.parametrize("conv", CONV_KINDS)
    @pytest.mark.parametrize("shape", [(2, 1, 250, 61), (1, 1, 40, 19, 13)])
    def test_cuda_autocast(self, conv, shape):
        torch.manual_seed(0)
        model = MaskedUNet(ndim=len(shape) - 2, conv=conv).cuda()
        x = torch.randn(shape, device="cuda")
        live = trace_mask(shape[0], shape[2:]).cuda()
        ref = model(x, live)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            y = model(x, live)
        keep = live.bool().expand_as(x)
        assert y.dtype == torch.float32 and torch.equal(y[keep], x[keep])
        assert (y - ref).abs().max() < 0.1 * ref.abs().max() + 1e-3
        y.sum().backward()
        assert all(torch.isfinite(p.grad).all() for p in model.parameters())

    @pytest.mark.slow
    @pytest.mark.parametrize("conv", CONV_KINDS)
    def test_torch_compile(self, conv):
        torch.manual_seed(0)
        model = MaskedUNet(conv=conv, **SMALL)
        x = torch.randn(2, 1, 24, 16)
        live = trace_mask(2, (24, 16))
        compiled = torch.compile(model, backend="aot_eager", fullgraph=True)
        torch.testing.assert_close(compiled(x, live), model(x, live))


class TestRegistry:
    @pytest.mark.parametrize("name", available_models())
    def test_round_trip(self, name):
        torch.manual_seed(0)
        model = make_model(name, width=4, max_width=16)
        config = model_config(model)
        assert json.loads(json.dumps(config)) == config
        rebuilt = make_model(config)
        assert rebuilt.load_state_dict(model.state_dict(), strict=True)
        assert str(rebuilt) == str(model)
        x = torch.randn((1, 1, 20, 12) if model.ndim == 2 else (1, 1, 12, 9, 8))
        live = trace_mask(1, x.shape[2:])
        torch.testing.assert_close(rebuilt(x, live), model(x, live))

    def test_overrides_and_errors(self):
        model = make_model({"name": "gated2d", "depth": 3}, width=12)
        config = model_config(model)
        assert (config["conv"], config["depth"], config["width"], config["activation"]) == ("gated", 3, 12, "elu")
        assert model_config(make_model({"conv": "vanilla"}))["arch"] == "MaskedUNet"
        with pytest.raises(ValueError, match="unknown model"):
            make_model("resnet")
        with pytest.raises(ValueError, match="architecture"):
            make_model({"arch": "Transformer"})
        with pytest.raises(TypeError):
            model_config(nn.Conv2d(1, 1, 1))

    def test_count_parameters(self):
        model = make_model("partial2d")
        assert count_parameters(model) == sum(p.numel() for p in model.parameters())
        model.head.weight.requires_grad_(False)
        assert count_parameters(model) == count_parameters(model, trainable_only=False) - model.head.weight.numel()

    def test_flops_plain_conv(self):
        conv = nn.Conv2d(3, 8, 3, padding=1)
        assert flops_per_sample(conv, (3, 10, 12)) == 2 * 3 * 8 * 9 * 10 * 12
        conv3 = nn.Conv3d(2, 4, (3, 1, 1), stride=(2, 1, 1))
        assert flops_per_sample(conv3, (2, 9, 5, 5)) == 2 * 2 * 4 * 3 * 4 * 5 * 5

    def test_flops_unet(self):
        model = MaskedUNet(conv="vanilla", width=4, depth=1, max_width=8, kernel_size=3, first_kernel_size=5)
        h, w = 8, 6
        expected = 2 * (
            2 * 4 * 25 * h * w  # stem ([x, mask] -> 4)
            + 4 * 8 * 9 * (h // 2) * (w // 2)  # down
            + 8 * 8 * 9 * (h // 2) * (w // 2)  # bottleneck
            + 12 * 4 * 9 * h * w  # up (8 + 4 -> 4)
            + 4 * 1 * h * w  # head
        )
        assert flops_per_sample(model, (h, w)) == expected
        assert flops_per_sample(model, (1, h, w)) == expected
        assert flops_per_sample(model, (3, 1, h, w)) == expected  # per sample of a batch
        partial = make_model("partial2d")
        gated = make_model("gated2d")
        assert 1.9 < flops_per_sample(gated, (64, 32)) / flops_per_sample(partial, (64, 32)) < 2.1
