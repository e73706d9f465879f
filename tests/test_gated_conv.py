"""Gated convolutions: seisfill.nn.gated_conv (kornia-style)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
from torch.autograd import gradcheck  # noqa: E402

from seisfill.nn import GatedConv2d, GatedConv3d, make_activation, make_norm  # noqa: E402

CLASSES = {2: GatedConv2d, 3: GatedConv3d}
ACTS = {
    "elu": F.elu,
    "leaky_relu": lambda t: F.leaky_relu(t, 0.2),
    "relu": F.relu,
    None: lambda t: t,
}


class TestGatedConv:
    @pytest.mark.parametrize("nd", [2, 3])
    def test_smoke(self, nd):
        layer = CLASSES[nd](2, 4, 3, padding=1)
        x = torch.randn(1, 2, *([5] * nd))
        y, mask = layer(x)
        assert y.shape == (1, 4, *([5] * nd)) and mask is None
        assert layer.conv.out_channels == 8  # one conv: features then gate
        assert layer.weight.shape == (8, 2, *([3] * nd))
        assert "activation='elu'" in repr(layer)

    @pytest.mark.parametrize("nd", [2, 3])
    @pytest.mark.parametrize("batch", [0, 1, 2])
    def test_cardinality(self, nd, batch):
        layer = CLASSES[nd](3, 5, 3, stride=2, padding=1)
        shape = (7, 6, 5)[:nd]
        y, _ = layer(torch.randn(batch, 3, *shape))
        assert y.shape == (batch, 5, *((s + 1) // 2 for s in shape))
        assert layer.last_gate.shape == y.shape

    def test_mask_passthrough(self):
        layer = GatedConv2d(2, 3, 3, padding=1)
        mask = torch.ones(1, 1, 4, 4)
        _, out = layer(torch.randn(1, 2, 4, 4), mask)
        assert out is mask

    @pytest.mark.parametrize("activation", ["elu", "leaky_relu", "relu", None])
    @pytest.mark.parametrize("nd", [2, 3])
    def test_values_1x1(self, activation, nd):
        layer = GatedConv2d(1, 1, 1, activation=activation) if nd == 2 else GatedConv3d(1, 1, 1, activation=activation)
        layer = layer.double()
        wf, wg, bf, bg = 1.5, -0.7, 0.2, 0.3
        with torch.no_grad():
            layer.weight.view(-1).copy_(torch.tensor([wf, wg]))
            layer.bias.copy_(torch.tensor([bf, bg]))
        x = torch.linspace(-2, 2, 12, dtype=torch.float64).reshape(1, 1, 3, 4, *([1] * (nd - 2)))
        y, _ = layer(x)
        expected = ACTS[activation](wf * x + bf) * torch.sigmoid(wg * x + bg)
        torch.testing.assert_close(y, expected)
        torch.testing.assert_close(layer.last_gate, torch.sigmoid(wg * x + bg))

    def test_gate_exposed(self):
        torch.manual_seed(0)
        layer = GatedConv2d(2, 3, 3, padding=1, return_gate=True)
        x = torch.randn(2, 2, 5, 6, requires_grad=True)
        y, mask, gate = layer(x)
        assert mask is None and gate.shape == y.shape
        assert gate.requires_grad and not layer.last_gate.requires_grad
        torch.testing.assert_close(layer.last_gate, gate.detach())
        assert ((gate > 0) & (gate < 1)).all()
        feature = layer.conv(x)[:, :3]
        torch.testing.assert_close(y, F.elu(feature) * gate)
        layer.store_gate = False
        layer.last_gate = None
        layer(x)
        assert layer.last_gate is None

    @pytest.mark.parametrize("norm", ["batch", "instance", "group"])
    @pytest.mark.parametrize("nd", [2, 3])
    def test_norms(self, norm, nd):
        torch.manual_seed(0)
        layer = CLASSES[nd](2, 8, 3, padding=1, norm=norm, activation="leaky_relu")
        x = torch.randn(2, 2, *([6] * nd))
        y, _ = layer(x)
        # the norm acts on the feature branch only
        feature, gate = layer.conv(x).chunk(2, dim=1)
        expected = F.leaky_relu(layer.norm(feature), 0.2) * torch.sigmoid(gate)
        torch.testing.assert_close(y, expected)
        assert not isinstance(layer.norm, nn.Identity)

    @pytest.mark.parametrize("nd", [2, 3])
    def test_gradcheck(self, nd):
        torch.manual_seed(0)
        layer = CLASSES[nd](2, 2, 3, padding=1, norm="group").double()
        x = torch.randn(1, 2, *((4, 3, 3)[:nd]), dtype=torch.float64, requires_grad=True)
        assert gradcheck(lambda t: layer(t)[0], (x,), raise_exception=True, fast_mode=True)

    def test_gradient_reaches_both_branches(self):
        layer = GatedConv2d(2, 3, 3, padding=1)
        y, _ = layer(torch.randn(1, 2, 5, 5))
        y.square().sum().backward()
        grad = layer.weight.grad
        assert grad[:3].abs().sum() > 0 and grad[3:].abs().sum() > 0

    def test_exception(self):
        with pytest.raises(ValueError, match="activation"):
            GatedConv2d(1, 1, 3, activation="tanhh")
        with pytest.raises(ValueError, match="norm"):
            GatedConv2d(1, 1, 3, norm="layer")

    def test_autocast_bf16_cpu(self):
        layer = GatedConv2d(2, 4, 3, padding=1)
        x = torch.randn(1, 2, 8, 8)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            y, _ = layer(x)
        assert torch.isfinite(y).all()
        torch.testing.assert_close(y.float(), layer(x)[0], atol=0.05, rtol=0.05)


class TestHelpers:
    def test_make_activation(self):
        x = torch.tensor([-1.0, 0.0, 2.0])
        assert torch.equal(make_activation("relu")(x), torch.tensor([0.0, 0.0, 2.0]))
        torch.testing.assert_close(make_activation("leaky_relu")(x), torch.tensor([-0.2, 0.0, 2.0]))
        assert isinstance(make_activation(None), nn.Identity)
        assert isinstance(make_activation("none"), nn.Identity)
        for name in ("elu", "gelu", "silu", "leaky_relu", "relu"):
            assert make_activation(name)(torch.zeros(3)).abs().max() == 0  # act(0) = 0

    def test_make_norm(self):
        assert isinstance(make_norm("batch", 4, 2), nn.BatchNorm2d)
        assert isinstance(make_norm("instance", 4, 3), nn.InstanceNorm3d)
        gn = make_norm("group", 24, 2)
        assert isinstance(gn, nn.GroupNorm) and gn.num_groups == 8
        assert make_norm("group", 6, 2).num_groups == 2
        assert isinstance(make_norm(None, 4, 2), nn.Identity)
        with pytest.raises(ValueError):
            make_norm("batch", 4, 4)
