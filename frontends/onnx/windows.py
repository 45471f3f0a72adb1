"""The attributes of sliding windows (kernel, pads or auto_pad, strides, dilations) read
from a node, and 1-D windows as the 2-D ones of the graph level.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.ir import SSAValue

from ziggurat.dialects import graph
from ziggurat.frontends.onnx.node import Node


def window_padding(
    node: Node,
    sizes: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
) -> list[int]:
    """ONNX pads (every begin, then every end) from `pads` or `auto_pad`."""
    rank = len(sizes)
    auto_pad = node.string("auto_pad", "NOTSET")
    pads = node.ints("pads", [0] * 2 * rank)
    assert pads is not None
    if auto_pad == "NOTSET":
        if len(pads) != 2 * rank:
            raise node.error(f"pads needs {2 * rank} values for a {rank}-D window, got {pads}")
        return pads
    if auto_pad == "VALID":
        return [0] * 2 * rank
    if auto_pad not in ("SAME_UPPER", "SAME_LOWER"):
        raise node.error(f"auto_pad '{auto_pad}' is not supported")
    begins, ends = [], []
    for size, k, stride, dilation in zip(sizes, kernel, strides, dilations, strict=True):
        total = max(0, (-(-size // stride) - 1) * stride + dilation * (k - 1) + 1 - size)
        small, large = total // 2, total - total // 2
        begins.append(small if auto_pad == "SAME_UPPER" else large)
        ends.append(large if auto_pad == "SAME_UPPER" else small)
    return begins + ends


def window_sizes(node: Node, what: str, ranks: Sequence[int] = (1, 2)) -> list[int]:
    """The spatial sizes of a window's NC... input of one of `ranks` (1-D and 2-D unless
    told), or an error naming the rank."""
    shape = node.shape(0)
    if len(shape) - 2 not in ranks:
        names = " and ".join(f"{rank}-D" for rank in ranks).replace(" and ", ", ", len(ranks) - 2)
        raise node.error(
            f"only {names} {what} are supported, got a {max(len(shape) - 2, 0)}-D input "
            f"{list(shape)}"
        )
    return list(shape[2:])


def per_axis(node: Node, name: str, rank: int) -> list[int]:
    values = node.ints(name, [1] * rank)
    assert values is not None
    if len(values) != rank:
        raise node.error(f"{name} needs {rank} values for a {rank}-D window, got {values}")
    return values


# The graph level has 2-D windows only: a 1-D window is a 2-D one of height 1, its input
# and weight reshaped to have that height and its result reshaped back.


def lift(values: Sequence[int], fill: int) -> list[int]:
    """Per-axis values of a 1-D window as those of its 2-D equivalent."""
    return [fill, *values] if len(values) == 1 else list(values)


def lift_pads(pads: Sequence[int]) -> list[int]:
    """ONNX pads as the graph level's [top, left, bottom, right]."""
    return [0, pads[0], 0, pads[1]] if len(pads) == 2 else list(pads)


def with_height(node: Node, value: SSAValue) -> SSAValue:
    """`value` (N, C, W) as (N, C, 1, W); a 2-D value is returned as it is."""
    shape = graph.shape_of(value)
    if len(shape) == 4:
        return value
    return node.emit(graph.ReshapeOp(value, [shape[0], shape[1], 1, shape[2]]))


def without_height(node: Node, value: SSAValue, rank: int) -> SSAValue:
    if rank == 2:
        return value
    n, c, _, w = graph.shape_of(value)
    return node.emit(graph.ReshapeOp(value, [n, c, w]))
