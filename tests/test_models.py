"""The two-pass map, its backbones, REGM and the potential (tiny CPU configs)."""

from __future__ import annotations

import pytest
import torch

from rcot_lib.models import (
    MapOutput,
    ModelConfig,
    build_map,
    build_potential,
    count_parameters,
    describe,
)
from rcot_lib.models.backbones import BACKBONES as BACKBONE_CLASSES
from rcot_lib.models.restormer import MDTA
from rcot_lib.models.unet import UNet, UNetEncoder

BACKBONES = ["nafnet", "restormer"]
CONDITIONS = ["multiscale", "single", "none"]


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny models run fastest on one thread (and do not stall on a busy machine)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def tiny(backbone: str = "nafnet", condition: str = "multiscale", **kw) -> ModelConfig:
    base = dict(dim=8, blocks=(1, 1, 1, 1), heads=(1, 2, 2, 4), ffn_expansion=2.0)
    base.update(regm_dim=4, refine=1, potential_width=4, potential_depth=2)
    base.update(kw)
    return ModelConfig(backbone=backbone, condition=condition, **base)


@pytest.mark.parametrize("backbone", BACKBONES)
@pytest.mark.parametrize("condition", CONDITIONS)
def test_shapes_odd_sizes(backbone, condition):
    T = build_map(tiny(backbone, condition))
    assert T.multiple == 8
    x = torch.rand(2, 3, 37, 53)
    assert T(x).shape == x.shape
    o = T(x, return_all=True)
    assert isinstance(o, MapOutput)
    assert o.out.shape == o.x0.shape == o.r0.shape == x.shape
    assert torch.equal(o.r0, x - o.x0)
    n = {"multiscale": 3, "single": 1, "none": 0}[condition]
    assert len(o.embeddings) == n
    if n:
        e3 = o.embeddings[-1]
        assert e3.shape == (2, 8 * 4, 5, 7)  # 8 regm_dim channels, ceil(H/8), ceil(W/8)
        assert torch.allclose(T.embed(x), e3, atol=1e-5)
    if n == 3:
        e1, e2, _ = o.embeddings
        assert e1.shape == (2, 2 * 4, 20, 28) and e2.shape == (2, 4 * 4, 10, 14)
    if condition == "none":
        assert torch.equal(o.x0, o.out) and T.regm is None


def test_tiny_inputs_and_grayscale():
    T = build_map(tiny(in_channels=1))
    for size in [(3, 5), (8, 8), (1, 1)]:
        x = torch.rand(1, 1, *size)
        assert T(x).shape == x.shape
    with pytest.raises(ValueError, match="expected"):
        T(torch.rand(1, 3, 8, 8))


@pytest.mark.parametrize("backbone", BACKBONES)
def test_identity_when_output_layer_is_zero(backbone):
    """Global residual: a zeroed last convolution gives x0 = x, r0 = 0, T(x) = x."""
    T = build_map(tiny(backbone))
    last = T.generator.ending if backbone == "nafnet" else T.generator.output
    with torch.no_grad():
        last.weight.zero_()
        if last.bias is not None:
            last.bias.zero_()
    x = torch.rand(2, 3, 19, 21)
    o = T(x, return_all=True)
    assert torch.allclose(o.out, x, atol=1e-6)
    assert o.r0.abs().max() < 1e-6


def test_gradient_reaches_regm_only_when_conditioned():
    torch.manual_seed(0)
    T = build_map(tiny("nafnet", "multiscale"))
    # NAFNet blocks start as the identity (beta = gamma = 0); nudge them so that
    # the residual and the fusions carry signal
    with torch.no_grad():
        for name, p in T.named_parameters():
            if name.endswith(("beta", "gamma")):
                p.fill_(0.1)
    T(torch.rand(2, 3, 16, 16)).square().mean().backward()
    regm_grads = [p.grad for p in T.regm.parameters()]
    assert all(g is not None for g in regm_grads)
    assert sum(g.abs().sum() for g in regm_grads) > 0
    assert all(p.grad is not None for p in T.fusions.parameters())
    plain = build_map(tiny("nafnet", "none"))
    assert plain.regm is None and len(plain.fusions) == 0
    assert count_parameters(plain) < count_parameters(T)


@pytest.mark.parametrize("backbone", BACKBONES)
def test_deterministic_with_seed(backbone):
    x = torch.rand(1, 3, 16, 24)
    outs = []
    for _ in range(2):
        torch.manual_seed(7)
        outs.append(build_map(tiny(backbone))(x))
    assert torch.equal(outs[0], outs[1])


def test_config_round_trip_and_errors():
    cfg = tiny("restormer", "single", dec_blocks=(1, 2, 1))
    d = cfg.to_dict()
    assert isinstance(d["blocks"], list)
    assert ModelConfig.from_dict(d) == cfg
    with pytest.raises(ValueError, match="backbone"):
        build_map(tiny(backbone="unet"))
    with pytest.raises(ValueError, match="condition"):
        build_map(tiny(condition="x0"))
    with pytest.raises(ValueError, match="blocks"):
        build_map(tiny(blocks=(1, 1)))


def test_potential_any_size():
    phi = build_potential(tiny())
    for size in [(64, 64), (37, 53)]:
        assert phi(torch.rand(3, 3, *size)).shape == (3,)
    y = torch.rand(2, 3, 32, 32, requires_grad=True)
    (g,) = torch.autograd.grad(phi(y).sum(), y, create_graph=True)
    g.square().sum().backward()  # double backward (WGAN-GP) works
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in phi.modules())


def test_mdta_attends_over_channels():
    m = MDTA(16, heads=4)
    attn, v = m.attention_map(torch.rand(2, 16, 9, 11))
    assert attn.shape == (2, 4, 4, 4)  # (B, heads, C/heads, C/heads), not pixels
    assert v.shape == (2, 4, 99, 4)  # (B, heads, H W, C/heads)
    assert torch.allclose(attn.sum(-1), torch.ones(2, 4, 4))
    # same as Restormer's formula written on (B, heads, C/heads, H W) tensors
    x = torch.rand(2, 16, 9, 11)
    q, k, v = m.qkv_dwconv(m.qkv(x)).reshape(2, 3, 4, 4, 99).unbind(1)
    q, k = (torch.nn.functional.normalize(t, dim=-1) for t in (q, k))
    a = ((q @ k.transpose(-2, -1)) * m.temperature).softmax(-1)
    ref = m.project_out((a @ v).reshape(2, 16, 9, 11))
    assert torch.allclose(m(x), ref, atol=1e-5)
    xc = x.contiguous(memory_format=torch.channels_last)
    assert m(xc).is_contiguous(memory_format=torch.channels_last)


@pytest.mark.parametrize("channels_last", [False, True])
def test_gdfn_matches_plain_reference(channels_last):
    from rcot_lib.models.restormer import GDFN

    torch.manual_seed(0)
    m = GDFN(6, expansion=2.66)  # hidden 15: an odd channel count
    x = torch.randn(2, 6, 5, 7, requires_grad=True)
    xi = x.contiguous(memory_format=torch.channels_last) if channels_last else x
    a, b = m.dwconv(m.project_in(xi)).chunk(2, dim=1)
    ref = m.project_out(torch.nn.functional.gelu(a) * b)
    y = m(xi)
    assert torch.allclose(y, ref, atol=1e-6)
    assert y.is_contiguous(memory_format=torch.channels_last) == channels_last
    g, = torch.autograd.grad(y.square().sum(), x)
    g_ref, = torch.autograd.grad(ref.square().sum(), x)
    assert torch.allclose(g, g_ref, atol=1e-5)


def test_parameter_counts():
    paper = ModelConfig(
        backbone="restormer",
        condition="none",
        dim=48,
        blocks=(4, 6, 6, 8),
        heads=(1, 2, 4, 8),
        ffn_expansion=2.66,
        refine=4,
    )
    n = count_parameters(build_map(paper))
    assert abs(n - 26.1e6) / 26.1e6 < 0.1  # Restormer: 26.1 M
    # the CPU default generator is the 1.7 M reference NAFNet-style U-Net
    default = build_map(ModelConfig())
    g = count_parameters(default.generator)
    assert 1.5e6 < g < 1.9e6
    assert "total" in describe(default)


@pytest.mark.parametrize("channels_last", [False, True])
def test_channel_parts_match_chunk_and_keep_the_layout(channels_last):
    from rcot_lib.models.layers import channel_parts
    from rcot_lib.models.nafnet import simple_gate

    x = torch.rand(2, 12, 7, 9)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    for part, ref in zip(channel_parts(x, 3), x.chunk(3, dim=1), strict=True):
        assert torch.equal(part.permute(0, 3, 1, 2), ref)
    a, b = x.chunk(2, dim=1)
    gate = simple_gate(x)
    assert torch.equal(gate, a * b)
    # the gate of a channels_last tensor is dense channels_last, not NCHW
    assert gate.is_contiguous(memory_format=torch.channels_last) == channels_last


def _nafblock_reference(m, inp):
    """NAFNet's block written plainly: full convolutions, chunk, multiply, add."""
    conv = torch.nn.functional.conv2d
    x = m.conv2(conv(m.norm1(inp), m.conv1.weight, m.conv1.bias))
    a, b = x.chunk(2, dim=1)
    x = a * b
    s = conv(x.mean((2, 3), keepdim=True), m.sca[1].weight, m.sca[1].bias)
    y = inp + m.beta * conv(x * s, m.conv3.weight, m.conv3.bias)
    a, b = conv(m.norm2(y), m.conv4.weight, m.conv4.bias).chunk(2, dim=1)
    return y + m.gamma * conv(a * b, m.conv5.weight, m.conv5.bias)


@pytest.mark.parametrize("batch", [1, 3])  # one image folds the channel attention
@pytest.mark.parametrize("channels_last", [False, True])
def test_nafblock_matches_plain_reference(channels_last, batch):
    from rcot_lib.models.nafnet import NAFBlock

    torch.manual_seed(0)
    m = NAFBlock(8)
    with torch.no_grad():  # non-zero beta/gamma so every branch counts
        for p in m.parameters():
            p.copy_(0.3 * torch.randn_like(p))
    x = torch.randn(batch, 8, 6, 10, requires_grad=True)
    xi = x.contiguous(memory_format=torch.channels_last) if channels_last else x
    y, ref = m(xi), _nafblock_reference(m, xi)
    assert torch.allclose(y, ref, atol=1e-5)
    params = [x, *m.parameters()]
    grads = torch.autograd.grad(y.square().sum(), params)
    ref_grads = torch.autograd.grad(ref.square().sum(), params)
    for g, r in zip(grads, ref_grads, strict=True):
        assert torch.allclose(g, r, rtol=1e-4, atol=1e-4)


def test_nafblock_keeps_a_float32_residual_under_autocast():
    from rcot_lib.models.nafnet import NAFBlock

    torch.manual_seed(0)
    m = NAFBlock(8)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(0.3 * torch.randn_like(p))
    x = torch.randn(2, 8, 6, 10)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y = m(x)
    assert y.dtype == torch.float32  # the residual stream is not rounded to bf16
    assert torch.allclose(y, _nafblock_reference(m, x), atol=0.1)


def test_fusion_without_block_is_lighter():
    light = build_map(tiny(fusion_blocks=0))
    assert light(torch.rand(1, 3, 12, 20)).shape == (1, 3, 12, 20)
    assert count_parameters(light) < count_parameters(build_map(tiny()))


@pytest.mark.parametrize("backbone", BACKBONES)
def test_map_trains_under_bf16_autocast(backbone):
    """The AMP path of the trainer (bf16 autocast), checked with the CPU's autocast."""
    torch.manual_seed(0)
    T = build_map(tiny(backbone))
    x = torch.rand(2, 3, 16, 24)
    with torch.no_grad():
        ref = T(x)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = T(x, return_all=True)
    assert out.out.shape == x.shape
    assert (out.out.float() - ref).abs().max() < 0.05  # bf16 rounding, not a bug
    out.out.float().square().mean().backward()
    grads = [p.grad for p in T.parameters() if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)


# (parameters, sum of |initial weights| under seed 0, sum of the output and its L1
# change from the input after a seeded nudge of every weight) of tiny(backbone,
# condition); a change to the skeleton's layers, to the order they are made in (the
# seeded initial weights) or to its passes changes them
SKELETON_CHECKSUMS = {
    ("nafnet", "multiscale"): (146615, 12486.2309566, 1598.95069051, 923.16094655),
    ("nafnet", "single"): (127703, 10334.7032746, 1723.70498343, 844.85890924),
    ("nafnet", "none"): (76291, 6185.01239865, 1981.76444771, 783.50496110),
    ("restormer", "multiscale"): (309088, 19906.8068879, 1834.51115493, 533.79956862),
    ("restormer", "single"): (262536, 16411.4974375, 1718.78826973, 450.70080703),
    ("restormer", "none"): (191759, 10600.7233547, 1551.66853921, 527.40536323),
}


@pytest.mark.parametrize(("backbone", "condition"), sorted(SKELETON_CHECKSUMS))
def test_skeleton_checksums(backbone, condition):
    n_ref, init_ref, sum_ref, l1_ref = SKELETON_CHECKSUMS[backbone, condition]
    torch.manual_seed(0)
    T = build_map(tiny(backbone, condition))
    assert count_parameters(T) == n_ref
    init = float(sum(v.double().abs().sum() for v in T.state_dict().values()))
    assert init == pytest.approx(init_ref, rel=1e-9)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for _, p in sorted(T.named_parameters()):
            p.add_(0.05 * torch.randn(p.shape, generator=g))
        x = torch.rand(2, 3, 20, 28, generator=torch.Generator().manual_seed(2))
        out = T(x).double()
    assert float(out.sum()) == pytest.approx(sum_ref, rel=1e-5)
    assert float((out - x).abs().sum()) == pytest.approx(l1_ref, rel=1e-5)


@pytest.mark.parametrize("backbone", BACKBONES)
def test_backbones_and_regm_share_the_unet_skeleton(backbone):
    T = build_map(tiny(backbone))
    gen = T.generator
    assert type(gen) is BACKBONE_CLASSES[backbone] and isinstance(gen, UNet)
    assert type(gen).encode is UNetEncoder.encode and type(gen).decode is UNet.decode
    assert isinstance(T.regm, UNetEncoder) and type(T.regm).encode is UNetEncoder.encode
    # the weights keep the names of each backbone's original code
    stem, bottleneck, head = type(gen).layer_names
    keys = set(T.state_dict())
    for name in (stem, bottleneck, head):
        assert any(k.startswith(f"generator.{name}.") for k in keys)
    assert {"regm.intro.weight", "regm.reduces.0.weight"} <= keys
    assert gen.channels == {8: 64, 4: 32, 2: 16}  # dim 8 doubling per level
    assert T.regm.channels == {8: 32, 4: 16, 2: 8}  # regm_dim 4


def test_shipped_checkpoints_load_strictly_with_their_key_order():
    from rcot_lib.checkpoint import load_checkpoint
    from rcot_lib.environment import CHECKPOINTS_DIR

    paths = sorted(CHECKPOINTS_DIR.glob("*.pt"))
    if not paths:
        pytest.skip(f"no shipped checkpoints in {CHECKPOINTS_DIR}")
    for path in paths:
        state = load_checkpoint(path)
        T = build_map(ModelConfig.from_dict(state["model"]))
        # same names in the same order: optimiser states follow the parameter order
        assert list(T.state_dict()) == list(state["map"])
        T.load_state_dict(state["map"], strict=True)
