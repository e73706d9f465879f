"""Partial convolutions: seisfill.nn.partial_conv (kornia-style)."""

from __future__ import annotations

import itertools
import math

import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402
from torch.autograd import gradcheck  # noqa: E402

from seisfill.nn import PartialConv2d, PartialConv3d, partial_conv, partial_conv_mask  # noqa: E402

CLASSES = {2: PartialConv2d, 3: PartialConv3d}
PLAIN = {2: nn.Conv2d, 3: nn.Conv3d}


def _as_tuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def reference_partial_conv(x, mask, weight, bias, stride=1, padding=0, dilation=1):
    """Loop-over-windows partial convolution straight from the definition (float64)."""
    nd = weight.dim() - 2
    stride, padding, dilation = (_as_tuple(v, nd) for v in (stride, padding, dilation))
    cout, cin, *k = weight.shape
    x = x.double()
    mask = torch.ones_like(x[:, :1]) if mask is None else mask.double()
    mask = mask.expand(x.shape[0], -1, *x.shape[2:])
    pads = [p for pp in reversed(padding) for p in (pp, pp)]
    xp = torch.nn.functional.pad(x, pads)
    mp = torch.nn.functional.pad(mask, pads)
    out_shape = [
        (x.shape[2 + i] + 2 * padding[i] - dilation[i] * (k[i] - 1) - 1) // stride[i] + 1 for i in range(nd)
    ]
    out = torch.zeros(x.shape[0], cout, *out_shape, dtype=torch.float64)
    new = torch.zeros(x.shape[0], 1, *out_shape, dtype=torch.float64)
    window = mask.shape[1] * math.prod(k)
    for pos in itertools.product(*(range(n) for n in out_shape)):
        idx = tuple(slice(pos[i] * stride[i], pos[i] * stride[i] + dilation[i] * (k[i] - 1) + 1, dilation[i]) for i in range(nd))
        xs = xp[(slice(None), slice(None), *idx)]  # (B, Cin, *k)
        ms = mp[(slice(None), slice(None), *idx)]  # (B, Cm, *k)
        count = ms.sum(dim=tuple(range(1, ms.dim())))  # (B,)
        raw = torch.einsum("bc...,oc...->bo", xs * ms, weight.double())
        val = raw * (window / count.clamp_min(1)).unsqueeze(1)
        if bias is not None:
            val = val + bias.double()
        valid = (count > 0).double()
        out[(slice(None), slice(None), *pos)] = val * valid.unsqueeze(1)
        new[(slice(None), 0, *pos)] = valid
    return out, new


def _trace_mask(batch, shape, p=0.4, seed=0):
    """Live-trace mask (B, 1, *S): constant along the first (time) axis."""
    g = torch.Generator().manual_seed(seed)
    live = (torch.rand(batch, 1, 1, *shape[1:], generator=g) > p).double()
    return live.expand(batch, 1, *shape).contiguous()


class TestPartialConv:
    @pytest.mark.parametrize("nd", [2, 3])
    def test_smoke(self, nd):
        layer = CLASSES[nd](2, 4, 3, padding=1, return_mask=True)
        x = torch.randn(1, 2, *([6] * nd))
        y, m = layer(x, torch.ones(1, 1, *([6] * nd)))
        assert y.shape == (1, 4, *([6] * nd)) and m.shape == (1, 1, *([6] * nd))
        assert isinstance(layer, PLAIN[nd])
        assert "multi_channel=False" in repr(layer)

    @pytest.mark.parametrize("nd", [2, 3])
    @pytest.mark.parametrize("batch", [0, 1, 2])
    @pytest.mark.parametrize("with_mask", [True, False])
    def test_cardinality(self, nd, batch, with_mask):
        torch.manual_seed(0)
        layer = CLASSES[nd](3, 5, 3, stride=2, padding=1, return_mask=True)
        shape = (7, 5, 4)[:nd]
        x = torch.randn(batch, 3, *shape)
        mask = _trace_mask(batch, shape).float() if with_mask else None
        y, m = layer(x, mask)
        out = tuple((s + 2 - 3) // 2 + 1 for s in shape)
        assert y.shape == (batch, 5, *out)
        assert m.shape == (batch, 1, *out)

    @pytest.mark.parametrize("nd", [2, 3])
    def test_hand_values(self, nd):
        # one k^nd window (no padding): all-ones weight, bias b
        k, b = 3, 0.5
        win = k**nd
        layer = CLASSES[nd](1, 1, k, bias=True, return_mask=True).double()
        with torch.no_grad():
            layer.weight.fill_(1.0)
            layer.bias.fill_(b)
        x = torch.arange(1.0, win + 1, dtype=torch.float64).reshape(1, 1, *([k] * nd))

        one = torch.zeros_like(x)
        one.view(-1)[win // 2 + 1] = 1.0  # 1 live sample of k^nd
        y, m = layer(x, one)
        v = x.view(-1)[win // 2 + 1].item()
        assert y.item() == pytest.approx(v * win / 1 + b)
        assert m.item() == 1.0

        y, m = layer(x, torch.ones_like(x))  # all live: plain conv + b
        assert y.item() == pytest.approx(x.sum().item() + b)
        assert m.item() == 1.0

        y, m = layer(x, torch.zeros_like(x))  # nothing live: 0, bias excluded, mask 0
        assert y.item() == 0.0 and m.item() == 0.0

        four = torch.zeros_like(x)
        four.view(-1)[:4] = 1.0
        y, _ = layer(x, four)
        assert y.item() == pytest.approx(x.view(-1)[:4].sum().item() * win / 4 + b)

    def test_mask_update_values(self):
        # traces 0 and 5 live out of 8, kernel 3 in x, padding 1: update = dilation by one trace
        layer = PartialConv2d(1, 1, 3, padding=1, return_mask=True)
        mask = torch.zeros(1, 1, 4, 8)
        mask[..., [0, 5]] = 1.0
        _, m = layer(torch.randn(1, 1, 4, 8), mask)
        expected = torch.tensor([1, 1, 0, 0, 1, 1, 1, 0], dtype=torch.float32).expand(4, 8)
        assert torch.equal(m[0, 0], expected)
        # stride 2: output trace j sees input traces 2j-1..2j+1
        layer = PartialConv2d(1, 1, 3, stride=2, padding=1, return_mask=True)
        _, m = layer(torch.randn(1, 1, 4, 8), mask)
        assert torch.equal(m[0, 0, 0], torch.tensor([1.0, 0.0, 1.0, 1.0]))

    @pytest.mark.parametrize("nd", [2, 3])
    def test_equals_conv_away_from_borders(self, nd):
        torch.manual_seed(0)
        pconv = CLASSES[nd](2, 3, 3, padding=1).double()
        conv = PLAIN[nd](2, 3, 3, padding=1).double()
        conv.load_state_dict(pconv.state_dict())
        x = torch.randn(2, 2, *([6] * nd), dtype=torch.float64)
        inner = (slice(None), slice(None), *([slice(1, -1)] * nd))
        for mask in (None, torch.ones(2, 1, *([6] * nd), dtype=torch.float64)):
            y, z = pconv(x, mask), conv(x)
            torch.testing.assert_close(y[inner], z[inner])
            assert not torch.allclose(y, z)  # the borders differ (partial padding)

    def test_border_ratio(self):
        # partial padding: a border window is rescaled by k*k / (number of real samples)
        torch.manual_seed(0)
        pconv = PartialConv2d(1, 2, 3, padding=1).double()
        x = torch.randn(1, 1, 5, 6, dtype=torch.float64)
        raw = torch.nn.functional.conv2d(x, pconv.weight, None, padding=1)
        ratio = torch.ones(5, 6, dtype=torch.float64)
        ratio[0, :] = ratio[-1, :] = ratio[:, 0] = ratio[:, -1] = 9 / 6
        ratio[0, 0] = ratio[0, -1] = ratio[-1, 0] = ratio[-1, -1] = 9 / 4
        expected = raw * ratio + pconv.bias.view(1, -1, 1, 1)
        torch.testing.assert_close(pconv(x), expected)

    @pytest.mark.parametrize(
        "nd, kwargs, shape",
        [
            (2, {"padding": 1}, (7, 5)),
            (2, {"stride": 2, "padding": 1}, (9, 7)),
            (2, {"stride": (2, 1), "padding": (2, 0), "dilation": 2}, (11, 6)),
            (2, {"padding": 0}, (5, 4)),
            (3, {"stride": 2, "padding": 1}, (5, 4, 3)),
            (3, {"padding": (1, 0, 1), "dilation": (1, 1, 2)}, (4, 5, 5)),
        ],
    )
    @pytest.mark.parametrize("multi_channel", [False, True])
    def test_against_reference(self, nd, kwargs, shape, multi_channel):
        torch.manual_seed(1)
        layer = CLASSES[nd](2, 3, 3, multi_channel=multi_channel, return_mask=True, **kwargs).double()
        x = torch.randn(2, 2, *shape, dtype=torch.float64)
        if multi_channel:  # different traces dead in each channel
            mask = torch.cat([_trace_mask(2, shape, seed=s) for s in (3, 4)], dim=1)
        else:
            mask = _trace_mask(2, shape, p=0.5, seed=5)
        y, m = layer(x, mask)
        y_ref, m_ref = reference_partial_conv(x, mask, layer.weight, layer.bias, **kwargs)
        torch.testing.assert_close(y, y_ref)
        assert m.shape[1] == (3 if multi_channel else 1)
        assert torch.equal(m, m_ref.expand_as(m))

    def test_no_mask_against_reference(self):
        torch.manual_seed(2)
        layer = PartialConv2d(2, 3, 3, stride=2, padding=2, dilation=2).double()
        x = torch.randn(1, 2, 9, 8, dtype=torch.float64)
        y_ref, _ = reference_partial_conv(x, None, layer.weight, layer.bias, stride=2, padding=2, dilation=2)
        torch.testing.assert_close(layer(x), y_ref)

    def test_multi_channel_mask_broadcast(self):
        torch.manual_seed(0)
        layer = PartialConv2d(3, 4, 3, padding=1, multi_channel=True, return_mask=True)
        x = torch.randn(2, 3, 6, 5)
        mask = _trace_mask(2, (6, 5)).float()
        y1, m1 = layer(x, mask.expand(-1, 3, -1, -1))
        y2, m2 = layer(x, mask)  # a one-channel mask is shared by all channels
        torch.testing.assert_close(y1, y2)
        assert m1.shape == m2.shape == (2, 4, 6, 5)

    def test_return_mask(self):
        layer = PartialConv2d(1, 2, 3, padding=1)
        x = torch.randn(1, 1, 4, 4)
        assert isinstance(layer(x), torch.Tensor)
        assert isinstance(layer(x, torch.ones(1, 1, 4, 4)), torch.Tensor)
        layer.return_mask = True
        out = layer(x)
        assert isinstance(out, tuple) and len(out) == 2
        assert torch.equal(out[1], torch.ones(1, 1, 4, 4))

    def test_bool_mask_and_batch_broadcast(self):
        torch.manual_seed(0)
        layer = PartialConv2d(1, 2, 3, padding=1, return_mask=True)
        x = torch.randn(3, 1, 5, 6)
        mask = _trace_mask(1, (5, 6)).float()
        y1, m1 = layer(x, mask.bool())
        y2, m2 = layer(x, mask.expand(3, -1, -1, -1))
        torch.testing.assert_close(y1, y2)
        assert m1.shape == (3, 1, 5, 6) and torch.equal(m1, m2)

    def test_groups(self):
        torch.manual_seed(0)
        layer = PartialConv2d(4, 6, 3, padding=1, groups=2).double()
        x = torch.randn(2, 4, 5, 6, dtype=torch.float64)
        mask = _trace_mask(2, (5, 6))
        y = layer(x, mask)
        for g in range(2):  # each group is a partial conv of its own channels
            w = layer.weight[3 * g : 3 * g + 3]
            ref, _ = reference_partial_conv(x[:, 2 * g : 2 * g + 2], mask, w, layer.bias[3 * g : 3 * g + 3], padding=1)
            torch.testing.assert_close(y[:, 3 * g : 3 * g + 3], ref)

    def test_no_bias(self):
        layer = PartialConv2d(1, 1, 3, padding=1, bias=False).double()
        x = torch.randn(1, 1, 4, 5, dtype=torch.float64)
        mask = _trace_mask(1, (4, 5), seed=3)
        ref, _ = reference_partial_conv(x, mask, layer.weight, None, padding=1)
        torch.testing.assert_close(layer(x, mask), ref)

    def test_missing_values_ignored(self):
        layer = PartialConv2d(1, 2, 3, padding=1)
        x = torch.randn(1, 1, 5, 6)
        mask = _trace_mask(1, (5, 6), seed=2).float()
        noisy = torch.where(mask > 0, x, torch.full_like(x, 1e6))
        torch.testing.assert_close(layer(x, mask), layer(noisy, mask))

    def test_exception(self):
        with pytest.raises(ValueError, match="padding_mode"):
            PartialConv2d(1, 1, 3, padding=1, padding_mode="reflect")
        with pytest.raises(NotImplementedError):
            PartialConv2d(2, 2, 3, groups=2, multi_channel=True)
        layer = PartialConv2d(2, 2, 3, padding=1)
        x = torch.randn(1, 2, 4, 4)
        with pytest.raises(ValueError, match="1 channel"):
            layer(x, torch.ones(1, 2, 4, 4))
        with pytest.raises(ValueError, match="spatial"):
            layer(x, torch.ones(1, 1, 4, 5))
        with pytest.raises(ValueError, match="batch"):
            layer(torch.randn(2, 2, 4, 4), torch.ones(3, 1, 4, 4))
        with pytest.raises(ValueError, match="rank"):
            layer(x, torch.ones(1, 4, 4))

    @pytest.mark.parametrize("nd", [2, 3])
    def test_gradcheck(self, nd):
        torch.manual_seed(0)
        shape = (5, 4, 3)[:nd]
        x = torch.randn(1, 2, *shape, dtype=torch.float64, requires_grad=True)
        w = torch.randn(2, 2, *([3] * nd), dtype=torch.float64, requires_grad=True)
        b = torch.randn(2, dtype=torch.float64, requires_grad=True)
        mask = _trace_mask(1, shape, p=0.5, seed=7)

        def fn(x, w, b):
            return partial_conv(x, mask, w, b, 1, 1, 1)[0]

        assert gradcheck(fn, (x, w, b), raise_exception=True, fast_mode=True)
        layer = CLASSES[nd](2, 2, 3, stride=2, padding=1).double()
        assert gradcheck(lambda t: layer(t, mask), (x,), raise_exception=True, fast_mode=True)

    def test_mask_gets_no_gradient(self):
        layer = PartialConv2d(1, 2, 3, padding=1, return_mask=True)
        x = torch.randn(1, 1, 4, 4, requires_grad=True)
        mask = torch.ones(1, 1, 4, 4, requires_grad=True)
        y, m = layer(x, mask)
        assert not m.requires_grad
        y.sum().backward()
        assert x.grad is not None and torch.isfinite(x.grad).all()

    @pytest.mark.parametrize("nd", [2, 3])
    def test_module_equals_functional(self, nd):
        torch.manual_seed(0)
        layer = CLASSES[nd](2, 3, 3, stride=2, padding=1, dilation=1, multi_channel=True, return_mask=True)
        shape = (6, 5, 4)[:nd]
        x = torch.randn(2, 2, *shape)
        mask = torch.cat([_trace_mask(2, shape, seed=s) for s in (1, 2)], dim=1).float()
        y1, m1 = layer(x, mask)
        y2, m2 = partial_conv(x, mask, layer.weight, layer.bias, layer.stride, layer.padding, layer.dilation)
        torch.testing.assert_close(y1, y2)
        assert torch.equal(m1, m2)

    def test_state_dict_is_plain_conv(self):
        pconv, conv = PartialConv2d(2, 3, 3), nn.Conv2d(2, 3, 3)
        assert pconv.state_dict().keys() == conv.state_dict().keys()
        pconv.load_state_dict(conv.state_dict())
        pconv(torch.randn(1, 2, 5, 5), torch.ones(1, 1, 5, 5))  # caches are not state
        assert pconv.state_dict().keys() == conv.state_dict().keys()

    def test_caches(self):
        layer = PartialConv2d(1, 1, 3, padding=1)
        layer(torch.randn(1, 1, 4, 5))
        first = layer._last_ratio_update
        layer(torch.randn(2, 1, 4, 5))  # same spatial shape: reused
        assert layer._last_ratio_update is first
        layer(torch.randn(1, 1, 6, 5))  # new shape: recomputed
        assert layer._last_ratio_update is not first
        layer(torch.randn(1, 1, 6, 5, dtype=torch.float64).float(), torch.ones(1, 1, 6, 5))
        layer.double()(torch.randn(1, 1, 6, 5, dtype=torch.float64), torch.ones(1, 1, 6, 5))
        assert {dt for _, dt, _ in layer._ones_cache} == {torch.float32, torch.float64}

    def test_cache_after_inference_mode(self):
        layer = PartialConv2d(1, 2, 3, padding=1)
        x = torch.randn(1, 1, 5, 5)
        with torch.inference_mode():
            ref = layer(x)
        y = layer(x.requires_grad_())  # the cached ratio must not be an inference tensor
        y.sum().backward()
        torch.testing.assert_close(y.detach(), ref)

    def test_partial_conv_mask(self):
        mask = torch.zeros(1, 1, 1, 5)
        mask[..., 2] = 1
        ratio, update = partial_conv_mask(mask, (1, 3), padding=(0, 1))
        torch.testing.assert_close(ratio[0, 0, 0], torch.tensor([0.0, 3.0, 3.0, 3.0, 0.0]))
        torch.testing.assert_close(update[0, 0, 0], torch.tensor([0.0, 1.0, 1.0, 1.0, 0.0]))
        # counts of a 2-channel mask given as one channel of live-channel counts
        two = torch.stack([mask[:, 0], torch.ones(1, 1, 5)], dim=1)
        r2, _ = partial_conv_mask(two, (1, 3), padding=(0, 1))
        r1, _ = partial_conv_mask(two.sum(1, keepdim=True), (1, 3), padding=(0, 1), window=6.0)
        torch.testing.assert_close(r1, r2)

    def test_autocast_bf16_cpu(self):
        torch.manual_seed(0)
        layer = PartialConv2d(4, 8, 3, padding=1, return_mask=True)
        x = torch.randn(2, 4, 8, 8)
        mask = _trace_mask(2, (8, 8)).float()
        y32, m32 = layer(x, mask)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            y16, m16 = layer(x, mask)
        assert y16.dtype == torch.bfloat16
        assert torch.equal(m16.float(), m32)
        torch.testing.assert_close(y16.float(), y32, atol=0.1, rtol=0.05)

    def test_channels_last(self):
        layer = PartialConv2d(4, 8, 3, padding=1).to(memory_format=torch.channels_last)
        x = torch.randn(2, 4, 8, 8).contiguous(memory_format=torch.channels_last)
        y = layer(x, _trace_mask(2, (8, 8)).float())
        assert y.is_contiguous(memory_format=torch.channels_last)

    @pytest.mark.slow
    @pytest.mark.parametrize("with_mask", [False, True])
    def test_torch_compile(self, with_mask):
        layer = PartialConv2d(2, 3, 3, padding=1, return_mask=True)
        x = torch.randn(2, 2, 6, 5)
        mask = _trace_mask(2, (6, 5)).float() if with_mask else None
        compiled = torch.compile(layer, backend="aot_eager", fullgraph=True)
        y, m = compiled(x, mask)
        y_ref, m_ref = layer(x, mask)
        torch.testing.assert_close(y, y_ref)
        assert torch.equal(m, m_ref)
