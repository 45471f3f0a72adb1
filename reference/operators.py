"""numpy rules for the graph dialect's classic operators: contractions, pools and
normalization, shapes, elementwise functions, integers, comparisons, reductions, attention."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from xdsl.ir import Operation

from ziggurat.diagnostics import describe_location
from ziggurat.dialects import graph
from ziggurat.elements import dense_to_array, element_dtype


def ints(values: object) -> tuple[int, ...]:
    return tuple(values.get_values())  # type: ignore[attr-defined]


def flag(op: Operation, name: str) -> bool:
    return name in op.properties


# Contractions ------------------------------------------------------------------------------


def dense(op: graph.DenseOp, a: np.ndarray, b: np.ndarray, bias: np.ndarray | None = None):
    a = a.T if flag(op, "trans_a") else a
    b = b.T if flag(op, "trans_b") else b
    out = op.alpha.value.data * (a @ b)
    if bias is not None:
        out = out + op.beta.value.data * bias
    return out


def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    strides: Sequence[int] = (1, 1),
    padding: Sequence[int] = (0, 0, 0, 0),
    dilation: Sequence[int] = (1, 1),
    groups: int = 1,
) -> np.ndarray:
    """NCHW convolution; `padding` is [top, left, bottom, right]."""
    top, left, bottom, right = padding
    x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    n, _, height, width = x.shape
    out_channels, group_channels, kernel_h, kernel_w = w.shape
    out_h = (height - dilation[0] * (kernel_h - 1) - 1) // strides[0] + 1
    out_w = (width - dilation[1] * (kernel_w - 1) - 1) // strides[1] + 1
    out = np.zeros((n, out_channels, out_h, out_w), np.result_type(x, w))
    per_group = out_channels // groups
    for g in range(groups):
        xs = x[:, g * group_channels : (g + 1) * group_channels]
        ws = w[g * per_group : (g + 1) * per_group]
        for ky in range(kernel_h):
            for kx in range(kernel_w):
                y0, x0 = ky * dilation[0], kx * dilation[1]
                patch = xs[
                    :,
                    :,
                    y0 : y0 + strides[0] * (out_h - 1) + 1 : strides[0],
                    x0 : x0 + strides[1] * (out_w - 1) + 1 : strides[1],
                ]
                out[:, g * per_group : (g + 1) * per_group] += np.einsum(
                    "nchw,oc->nohw", patch, ws[:, :, ky, kx]
                )
    if b is not None:
        out += b[None, :, None, None]
    return out


def conv2d_op(op: graph.Conv2dOp, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None):
    w = w.transpose(graph.WEIGHT_LAYOUTS[op.weight_layout.data])  # to OIHW
    return conv2d(
        x, w, b, ints(op.strides), ints(op.padding), ints(op.dilation), op.groups.value.data
    )


# Pools and normalization -------------------------------------------------------------------


def pool2d(
    x: np.ndarray,
    kernel: Sequence[int],
    strides: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int] = (1, 1),
    ceil: bool = False,
    kind: str = "max",
    include_pad: bool = False,
) -> np.ndarray:
    """NCHW max or average pooling with ONNX's rules for ceil mode and the divisor."""
    top, left, bottom, right = padding
    height, width = x.shape[2:]
    out = []
    for size, k, s, d, before, after in (
        (height, kernel[0], strides[0], dilation[0], top, bottom),
        (width, kernel[1], strides[1], dilation[1], left, right),
    ):
        room = size + before + after - d * (k - 1) - 1
        count = -(-room // s) + 1 if ceil else room // s + 1
        if ceil and (count - 1) * s >= size + before:
            count -= 1  # a window may not start in the trailing padding
        out.append(count)
    fill = -np.inf if kind == "max" else 0.0
    extra_h = max(
        0, (out[0] - 1) * strides[0] + dilation[0] * (kernel[0] - 1) + 1 - (height + top + bottom)
    )
    extra_w = max(
        0, (out[1] - 1) * strides[1] + dilation[1] * (kernel[1] - 1) + 1 - (width + left + right)
    )
    pads = ((0, 0), (0, 0), (top, bottom + extra_h), (left, right + extra_w))
    padded = np.pad(x.astype(np.float64), pads, constant_values=fill)
    # Which positions the divisor counts: the input only, or the input and its padding
    # (never the extra room ceil mode adds).
    mask = np.pad(np.ones((height, width)), pads[2:], constant_values=0.0)
    if include_pad:
        mask = np.pad(
            np.ones((height + top + bottom, width + left + right)), ((0, extra_h), (0, extra_w))
        )
    windows, counts = [], []
    for ky in range(kernel[0]):
        for kx in range(kernel[1]):
            y0, x0 = ky * dilation[0], kx * dilation[1]
            rows = slice(y0, y0 + strides[0] * (out[0] - 1) + 1, strides[0])
            columns = slice(x0, x0 + strides[1] * (out[1] - 1) + 1, strides[1])
            windows.append(padded[:, :, rows, columns])
            counts.append(mask[rows, columns])
    if kind == "max":
        return np.max(windows, axis=0)
    return np.sum(windows, axis=0) / np.sum(counts, axis=0)


def max_pool2d(op: graph.MaxPool2dOp, x: np.ndarray) -> np.ndarray:
    return pool2d(
        x,
        ints(op.kernel),
        ints(op.strides),
        ints(op.padding),
        ints(op.dilation),
        flag(op, "ceil_mode"),
    )


def avg_pool2d(op: graph.AvgPool2dOp, x: np.ndarray) -> np.ndarray:
    return pool2d(
        x,
        ints(op.kernel),
        ints(op.strides),
        ints(op.padding),
        ceil=flag(op, "ceil_mode"),
        kind="avg",
        include_pad=flag(op, "count_include_pad"),
    )


def softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def lrn(x: np.ndarray, size: int, alpha=1e-4, beta=0.75, bias=1.0) -> np.ndarray:
    """ONNX LRN: each channel divided by a power of the sum of squares around it."""
    before = (size - 1) // 2
    channels = x.shape[1]
    widths = [(0, 0)] * x.ndim
    widths[1] = (before, size - 1 - before)
    squares = np.pad(x * x, widths)
    total = sum(squares[:, k : k + channels] for k in range(size))
    return x / (bias + alpha / size * total) ** beta


def lrn_op(op: graph.LrnOp, x: np.ndarray) -> np.ndarray:
    alpha, beta, bias = (v.value.data for v in (op.alpha, op.beta, op.bias))
    return lrn(x, op.size.value.data, alpha, beta, bias)


def batch_norm(
    x: np.ndarray,
    scale: np.ndarray,
    bias: np.ndarray,
    mean: np.ndarray,
    variance: np.ndarray,
    epsilon: float = 1e-5,
) -> np.ndarray:
    """Inference batch normalization over dimension 1."""
    shape = (1, -1) + (1,) * (x.ndim - 2)
    s, b, m, v = (p.reshape(shape) for p in (scale, bias, mean, variance))
    return (x - m) * s / np.sqrt(v + epsilon) + b


def layer_norm(
    x: np.ndarray, scale: np.ndarray, bias: np.ndarray | None = None, axis: int = -1, epsilon=1e-5
) -> np.ndarray:
    """ONNX LayerNormalization over the dimensions from `axis` on."""
    axes = tuple(range(axis % x.ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    out = (x - mean) / np.sqrt(variance + epsilon) * scale
    return out if bias is None else out + bias


def layer_norm_op(op: graph.LayerNormOp, *args: np.ndarray) -> np.ndarray:
    return layer_norm(*args, axis=op.axis.value.data, epsilon=op.epsilon.value.data)


# Shapes ------------------------------------------------------------------------------------


def result_shape(op: Operation) -> tuple[int, ...]:
    return tuple(op.results[0].type.get_shape())  # type: ignore[attr-defined]


def to_result_shape(op: Operation, x: np.ndarray) -> np.ndarray:
    """Reshape and flatten: the same elements in the result's shape."""
    return x.reshape(result_shape(op))


def reduce(function: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def rule(op: graph.ReduceOp, x: np.ndarray) -> np.ndarray:
        axes = tuple(a % x.ndim for a in ints(op.axes))
        return function(x, axis=axes, keepdims=flag(op, "keepdims"))

    return rule


def split(op: graph.SplitOp, x: np.ndarray) -> list[np.ndarray]:
    ends = np.cumsum(ints(op.sizes))[:-1]
    return np.split(x, ends, axis=op.axis.value.data)


def slice_op(op: graph.SliceOp, x: np.ndarray) -> np.ndarray:
    offsets, steps = ints(op.offsets), ints(op.steps)
    where = [o + np.arange(n) * s for o, n, s in zip(offsets, result_shape(op), steps, strict=True)]
    return x[np.ix_(*where)] if where else x


def gather(data: np.ndarray, indices: np.ndarray, axis: int) -> np.ndarray:
    """numpy.take, negative indices from the end, others clamped into the axis."""
    extent = data.shape[axis]
    indices = np.clip(np.where(indices < 0, indices + extent, indices), 0, extent - 1)
    return np.take(data, indices, axis=axis)


def pad(x: np.ndarray, pads: Sequence[int], value: float = 0.0, mode: str = "constant"):
    """numpy.pad with pads in ONNX's order: all befores, then all afters."""
    widths = list(zip(pads[: x.ndim], pads[x.ndim :], strict=True))
    if mode == "constant":
        return np.pad(x, widths, constant_values=value)
    return np.pad(x, widths, mode=mode)


def pad_op(op: graph.PadOp, x: np.ndarray) -> np.ndarray:
    return pad(x, ints(op.pads), op.value.value.data, op.mode.data)


def cast_op(op: graph.CastOp, x: np.ndarray) -> np.ndarray:
    element = op.output.type.element_type  # type: ignore[attr-defined]
    with np.errstate(over="ignore"):
        return x.astype(element_dtype(element, describe_location(op)))


# Elementwise functions ---------------------------------------------------------------------

erf = np.vectorize(math.erf, otypes=[np.float64])


def power(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """numpy.power, a negative base with a fractional exponent giving NaN without a warning."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.power(a, b)


def clip(op: graph.ClipOp, x: np.ndarray) -> np.ndarray:
    if op.min is not None:
        x = np.maximum(x, op.min.value.data)
    if op.max is not None:
        x = np.minimum(x, op.max.value.data)
    return x


def leaky_relu(op: graph.LeakyReluOp, x: np.ndarray) -> np.ndarray:
    return np.where(x >= 0, x, op.alpha.value.data * x)


def constant(op: graph.ConstantOp) -> np.ndarray:
    return dense_to_array(op.value)


# Integers, comparisons, more activations and reductions (issue 12) -------------------------


def is_integer(x: np.ndarray) -> bool:
    return np.issubdtype(x.dtype, np.integer)


def divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b; integers truncate toward zero and give 0 for a division by zero."""
    if not is_integer(a):
        with np.errstate(divide="ignore", invalid="ignore"):
            return a / b
    safe = np.where(b == 0, 1, b).astype(b.dtype)
    with np.errstate(over="ignore", divide="ignore"):  # the most negative over -1 wraps
        floor, rest = np.floor_divide(a, safe), np.remainder(a, safe)
    # Where the signs differ and something remains, the floor is one below the truncation.
    quotient = floor + ((rest != 0) & ((a < 0) != (safe < 0))).astype(floor.dtype)
    return np.where(b == 0, 0, quotient).astype(floor.dtype)


def mod_op(op: graph.ModOp, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """numpy.mod (the divisor's sign) or, with fmod, numpy.fmod; an integer mod 0 is 0."""
    function = np.fmod if flag(op, "fmod") else np.mod
    with np.errstate(divide="ignore", invalid="ignore"):
        if not is_integer(a):
            return function(a, b)
        return np.where(b == 0, 0, function(a, np.where(b == 0, 1, b)))


def pow_op(op: graph.PowOp, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Integers through float64 (truncated back), as the targets compute them."""
    if not is_integer(a):
        return power(a, b)
    with np.errstate(over="ignore", invalid="ignore"):
        return power(a.astype(np.float64), b.astype(np.float64)).astype(a.dtype)


COMPARE = {
    "eq": np.equal,
    "ne": np.not_equal,
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
}


def softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0, x)


def gelu_op(op: graph.GeluOp, x: np.ndarray) -> np.ndarray:
    if flag(op, "tanh"):
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def arg_reduce(op: graph.ArgReduceOp, x: np.ndarray) -> np.ndarray:
    """numpy.argmax or argmin (a NaN wins), the last of equals with select_last_index."""
    axis = op.axis.value.data % x.ndim
    function = np.argmax if isinstance(op, graph.ArgMaxOp) else np.argmin
    if flag(op, "select_last_index"):
        index = x.shape[axis] - 1 - function(np.flip(x, axis), axis=axis)
    else:
        index = function(x, axis=axis)
    return np.expand_dims(index, axis) if flag(op, "keepdims") else index


def extreme(function: Callable[..., np.ndarray], side: float) -> Callable[..., np.ndarray]:
    """numpy.max or min, with the identity (an infinity, or the integer type's extreme)
    for a reduction over no elements."""

    def rule(op: graph.ReduceOp, x: np.ndarray) -> np.ndarray:
        axes = tuple(a % x.ndim for a in ints(op.axes))
        if x.dtype == np.bool_:
            initial: object = side > 0
        elif is_integer(x):
            initial = np.iinfo(x.dtype).max if side > 0 else np.iinfo(x.dtype).min
        else:
            initial = side
        return function(x, axis=axes, keepdims=flag(op, "keepdims"), initial=initial)

    return rule


def log_sum(x: np.ndarray, axis: tuple[int, ...], keepdims: bool) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(np.sum(x, axis=axis, keepdims=keepdims))


def log_sum_exp(x: np.ndarray, axis: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """m + log(sum(exp(x - m))), m the maximum where it is finite (else 0)."""
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    shift = np.where(np.isinf(m), 0.0, m)
    with np.errstate(divide="ignore"):
        total = np.log(np.sum(np.exp(x - shift), axis=axis, keepdims=True)) + shift
    return total if keepdims else np.squeeze(total, axis=axis)


def cumsum_op(op: graph.CumSumOp, x: np.ndarray) -> np.ndarray:
    axis = op.axis.value.data % x.ndim
    if flag(op, "reverse"):
        x = np.flip(x, axis)
    total = np.cumsum(x, axis=axis, dtype=x.dtype)
    if flag(op, "exclusive"):
        widths = [(0, 0)] * x.ndim
        widths[axis] = (1, 0)
        total = np.pad(total, widths)[tuple(slice(0, n) for n in x.shape)]
    return np.flip(total, axis) if flag(op, "reverse") else total


def group_norm_op(
    op: graph.GroupNormOp, x: np.ndarray, scale: np.ndarray, bias: np.ndarray
) -> np.ndarray:
    """A layer norm of each item's groups of channels, then scale and bias per channel."""
    groups = op.groups.value.data
    grouped = x.reshape(x.shape[0], groups, -1)
    mean = grouped.mean(axis=2, keepdims=True)
    variance = ((grouped - mean) ** 2).mean(axis=2, keepdims=True)
    normalized = ((grouped - mean) / np.sqrt(variance + op.epsilon.value.data)).reshape(x.shape)
    channel = (1, -1) + (1,) * (x.ndim - 2)
    return normalized * scale.reshape(channel) + bias.reshape(channel)


def rms_norm_op(op: graph.RmsNormOp, x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    axes = tuple(range(op.axis.value.data % x.ndim, x.ndim))
    mean = (x * x).mean(axis=axes, keepdims=True)
    return x / np.sqrt(mean + op.epsilon.value.data) * scale


def alpha(op: Operation) -> float:
    return op.alpha.value.data  # type: ignore[attr-defined]


# Attention (issue 12) -------------------------------------------------------------------------


def masked_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """Softmax along `axis`, a slice that is -inf everywhere giving zeros."""
    top = x.max(axis=axis, keepdims=True)
    masked = np.isneginf(top)
    e = np.exp(x - np.where(masked, 0.0, top))
    total = e.sum(axis=axis, keepdims=True)
    return np.where(masked, 0.0, e / np.where(masked, 1.0, total))
