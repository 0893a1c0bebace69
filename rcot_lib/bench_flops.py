"""FLOPs of one call (forward, backward, double backward) with grouped convolutions.

:func:`count_flops` runs torch's FLOP counter with a convolution backward formula
that respects ``groups`` (torch's default ignores it for the weight gradient and so
counts a depth-wise convolution's backward about ``groups`` times too high).
:mod:`rcot_lib.bench` reports the count for one training iteration of
:mod:`rcot_lib.bench_iteration`.
"""

from __future__ import annotations

import torch


def _conv_backward_flop(
    grad_out_shape,
    x_shape,
    w_shape,
    _bias,
    _stride,
    _padding,
    _dilation,
    transposed,
    _output_padding,
    _groups,
    output_mask,
    out_shape=None,
    **_,
) -> int:
    """Backward of a (grouped) convolution: one forward's FLOPs per gradient.

    torch's default formula ignores ``groups`` for the weight gradient and so
    counts a depth-wise convolution's backward about ``groups`` times too high.
    """
    from torch.utils.flop_counter import conv_flop_count

    fwd = conv_flop_count(
        list(x_shape), list(w_shape), list(grad_out_shape), transposed
    )
    return fwd * (int(bool(output_mask[0])) + int(bool(output_mask[1])))


def count_flops(fn) -> int:
    """FLOPs of one call of ``fn`` (forward, backward and double backward).

    Uses ``torch.utils.flop_counter.FlopCounterMode`` with a grouped-convolution
    backward formula that respects ``groups`` (see :func:`_conv_backward_flop`).
    """
    from torch.utils.flop_counter import FlopCounterMode

    mapping = {torch.ops.aten.convolution_backward: _conv_backward_flop}
    with FlopCounterMode(display=False, custom_mapping=mapping) as counter:
        fn()
    return int(counter.get_total_flops())
