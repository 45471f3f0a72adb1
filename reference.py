"""A numpy interpreter for graph-level modules: the reference every target is checked against.

Each graph op is computed with whole-array numpy in float64 (integers keep their type) and
cast back to the op's element type at the end of the function, so the reference is more
exact than any target and differences measure the target's error.

    outputs = evaluate(module, "main", [x, w])
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Sequence

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Block, Operation, SSAValue

from ziggurat.diagnostics import ZigguratError, describe_location
from ziggurat.dialects import graph
from ziggurat.elements import dense_to_array, element_dtype


def evaluate(module: ModuleOp, name: str, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Run function `name` of a graph-level `module` on `inputs`; its results in order."""
    functions = {op.sym_name.data: op for op in module.walk() if isinstance(op, func.FuncOp)}
    if name not in functions:
        raise ZigguratError(f"the module has no function @{name}")
    return Interpreter(functions).call(name, list(inputs))


class Interpreter:
    def __init__(self, functions: dict[str, func.FuncOp]):
        self.functions = functions

    def call(self, name: str, arguments: list[np.ndarray]) -> list[np.ndarray]:
        function = self.functions[name]
        where = describe_location(function)
        if function.is_declaration:
            raise ZigguratError(f"@{name} has no body to evaluate", where)
        block = function.body.block
        if len(arguments) != len(block.args):
            raise ZigguratError(
                f"@{name} takes {len(block.args)} arguments, not {len(arguments)}", where
            )
        values: dict[SSAValue, np.ndarray] = {}
        for index, (arg, array) in enumerate(zip(block.args, arguments, strict=True)):
            expected = tuple(arg.type.get_shape()) if isinstance(arg.type, TensorType) else None
            if expected is not None and tuple(np.shape(array)) != expected:
                raise ZigguratError(
                    f"@{name} argument {index} should have shape {list(expected)}, "
                    f"not {list(np.shape(array))}",
                    where,
                )
            values[arg] = np.asarray(array)
        terminator = block.last_op
        if not isinstance(terminator, func.ReturnOp):
            raise ZigguratError(f"@{name} does not end in func.return", where)
        results = self.run(block, values)
        return [cast(a, v) for a, v in zip(results, terminator.arguments, strict=True)]

    def run(self, block: Block, values: dict[SSAValue, np.ndarray]) -> list[np.ndarray]:
        """Run the ops of `block`, whose outer values `values` holds; the values its
        terminator gives."""
        for op in block.ops:
            if isinstance(op, func.ReturnOp | graph.YieldOp):
                return [values[v] for v in op.operands]
            if isinstance(op, func.CallOp):
                results = self.call(op.callee.string_value(), [values[v] for v in op.arguments])
            elif isinstance(op, graph.IfOp):
                taken = op.then_region if values[op.condition].reshape(-1)[0] else op.else_region
                results = self.run(taken.block, values)
            elif isinstance(op, graph.LoopOp):
                results = self.loop(op, values)
            else:
                results = evaluate_op(op, [values[v] for v in op.operands])
            for result, array in zip(op.results, results, strict=True):
                values[result] = array
        return []

    def loop(self, op: graph.LoopOp, values: dict[SSAValue, np.ndarray]) -> list[np.ndarray]:
        """graph.loop: the carried values after the last iteration, then the others stacked."""
        carried = [values[v] for v in op.inits]
        scanned: list[list[np.ndarray]] = []
        for iteration in range(op.trip_count.value.data):
            arguments = [np.array(iteration, np.int64), *carried]
            values.update(zip(op.body.block.args, arguments, strict=True))
            yielded = self.run(op.body.block, values)
            carried = yielded[: len(carried)]
            scanned.append(yielded[len(carried) :])
        return [*carried, *(np.stack(s) for s in zip(*scanned, strict=True))]


def cast(array: np.ndarray, value: SSAValue) -> np.ndarray:
    """`array` as the element type and shape `value`'s tensor type declares."""
    if not isinstance(value.type, TensorType):
        return array
    dtype = element_dtype(value.type.element_type, "")
    with np.errstate(over="ignore"):  # too large for the type is infinity, as on targets
        return np.asarray(array).astype(dtype).reshape(value.type.get_shape())


def evaluate_op(op: Operation, args: list[np.ndarray]) -> list[np.ndarray]:
    """The results of `op`; a rule gives an array, or a list of them for several results."""
    rule = RULES.get(type(op))
    if rule is None:
        raise ZigguratError(f"the numpy reference cannot evaluate {op.name}", describe_location(op))
    wide = [a.astype(np.float64) if np.issubdtype(a.dtype, np.floating) else a for a in args]
    value = rule(op, *wide)
    return [np.asarray(v) for v in value] if len(op.results) != 1 else [np.asarray(value)]


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


# Recurrent networks ------------------------------------------------------------------------


def activation(name: str, alpha: float, beta: float) -> Callable[[np.ndarray], np.ndarray]:
    """A recurrent network's activation (graph.ACTIVATIONS) with its alpha and beta."""
    functions: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "Relu": lambda x: np.maximum(x, 0),
        "Tanh": np.tanh,
        "Sigmoid": lambda x: 1 / (1 + np.exp(-x)),
        "Affine": lambda x: alpha * x + beta,
        "LeakyRelu": lambda x: np.where(x >= 0, x, alpha * x),
        "ThresholdedRelu": lambda x: np.where(x > alpha, x, 0),
        "ScaledTanh": lambda x: alpha * np.tanh(beta * x),
        "HardSigmoid": lambda x: np.clip(alpha * x + beta, 0, 1),
        "Elu": lambda x: np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0))),
        "Softsign": lambda x: x / (1 + np.abs(x)),
        "Softplus": lambda x: np.logaddexp(0, x),
    }
    return functions[name]


Cell = Callable[..., tuple[list[np.ndarray], np.ndarray]]


def rnn_cell(op, x, states, w, r, bias, peepholes, functions, clip):
    (h,) = states
    f, *_ = functions
    wb, rb = np.split(bias, 2)
    h = f(clip(x @ w.T + h @ r.T + wb + rb))
    return [h], h


def gru_cell(op, x, states, w, r, bias, peepholes, functions, clip):
    (h,) = states
    f, g = functions
    wz, wr, wh = np.split(w, 3)
    rz, rr, rh = np.split(r, 3)
    wbz, wbr, wbh, rbz, rbr, rbh = np.split(bias, 6)
    z = f(clip(x @ wz.T + h @ rz.T + wbz + rbz))
    reset = f(clip(x @ wr.T + h @ rr.T + wbr + rbr))
    if flag(op, "linear_before_reset"):
        candidate = g(clip(x @ wh.T + reset * (h @ rh.T + rbh) + wbh))
    else:
        candidate = g(clip(x @ wh.T + (reset * h) @ rh.T + rbh + wbh))
    h = (1 - z) * candidate + z * h
    return [h], h


def lstm_cell(op, x, states, w, r, bias, peepholes, functions, clip):
    h, c = states
    f, g, activate_cell = functions
    wb, rb = np.split(bias, 2)
    gi, go, gf, gc = np.split(x @ w.T + h @ r.T + wb + rb, 4, axis=-1)
    pi, po, pf = np.split(peepholes, 3)
    i = f(clip(gi + pi * c))
    forget = 1 - i if flag(op, "input_forget") else f(clip(gf + pf * c))
    c = forget * c + i * g(clip(gc))
    h = f(clip(go + po * c)) * activate_cell(c)
    return [h, c], h


CELLS: dict[type[graph.RecurrentOp], Cell] = {
    graph.RnnOp: rnn_cell,
    graph.GruOp: gru_cell,
    graph.LstmOp: lstm_cell,
}


def recurrent(op: graph.RecurrentOp, *args: np.ndarray) -> list[np.ndarray]:
    """graph.rnn, graph.gru and graph.lstm: Y, Y_h (and Y_c), one time step at a time."""
    present = [n for n, _ in op.get_irdl_definition().operands if getattr(op, n) is not None]
    inputs = dict(zip(present, args, strict=True))
    x, w, r = inputs["input"], inputs["weight"], inputs["recurrence"]
    sequence, batch, _ = x.shape
    directions, hidden = op.directions, op.hidden_size
    lengths = inputs.get("sequence_lens", np.full(batch, sequence)).astype(np.int64)
    bias = inputs.get("bias", np.zeros((directions, 2 * op.GATES * hidden)))
    peepholes = inputs.get("peepholes", np.zeros((directions, 3 * hidden)))
    states = [inputs.get(n, np.zeros((directions, batch, hidden))) for n in op.state_inputs()]
    bound = None if op.clip is None else op.clip.value.data
    clip = (lambda v: v) if bound is None else (lambda v: np.clip(v, -bound, bound))
    y = np.zeros((sequence, directions, batch, hidden))
    finals = []
    rows = np.arange(batch)
    for d in range(directions):
        reverse = op.direction.data == "reverse" or d == 1
        functions = [activation(*op.activation(d, i)) for i in range(op.ACTIVATION_COUNT)]
        state = [s[d] for s in states]
        for t in range(sequence):
            active = t < lengths
            # The reverse direction runs each sequence from its own last step.
            time = np.clip(lengths - 1 - t, 0, sequence - 1) if reverse else np.full(batch, t)
            step = [w[d], r[d], bias[d], peepholes[d], functions, clip]
            new, output = CELLS[type(op)](op, x[time, rows], state, *step)
            state = [np.where(active[:, None], n, s) for n, s in zip(new, state, strict=True)]
            y[time[active], d, rows[active]] = output[active]
        # A sequence of length 0 ends in zeros, as onnxruntime gives.
        finals.append([np.where((lengths > 0)[:, None], s, 0) for s in state])
    return [y, *(np.stack(s) for s in zip(*finals, strict=True))]


RULES: dict[type[Operation], Callable[..., np.ndarray]] = {
    graph.ConstantOp: constant,
    graph.DenseOp: dense,
    graph.MatmulOp: lambda op, a, b: np.matmul(a, b),
    graph.Conv2dOp: conv2d_op,
    graph.AddOp: lambda op, a, b: a + b,
    graph.SubOp: lambda op, a, b: a - b,
    graph.MulOp: lambda op, a, b: a * b,
    graph.DivOp: lambda op, a, b: divide(a, b),
    graph.PowOp: pow_op,
    graph.MaximumOp: lambda op, a, b: np.maximum(a, b),
    graph.MinimumOp: lambda op, a, b: np.minimum(a, b),
    graph.ReluOp: lambda op, x: np.maximum(x, 0),
    graph.SigmoidOp: lambda op, x: 1 / (1 + np.exp(-x)),
    graph.TanhOp: lambda op, x: np.tanh(x),
    graph.ExpOp: lambda op, x: np.exp(x),
    graph.SqrtOp: lambda op, x: np.sqrt(x),
    graph.ErfOp: lambda op, x: erf(x),
    graph.NegOp: lambda op, x: -x,
    graph.AbsOp: lambda op, x: np.abs(x),
    graph.LogOp: lambda op, x: np.log(x),
    graph.ReciprocalOp: lambda op, x: 1 / x,
    graph.LeakyReluOp: leaky_relu,
    graph.ClipOp: clip,
    graph.SoftmaxOp: lambda op, x: softmax(x, op.axis.value.data),
    graph.LogSoftmaxOp: lambda op, x: log_softmax(x, op.axis.value.data),
    graph.LrnOp: lrn_op,
    graph.BatchNormOp: lambda op, *v: batch_norm(*v, epsilon=op.epsilon.value.data),
    graph.MaxPool2dOp: max_pool2d,
    graph.AvgPool2dOp: avg_pool2d,
    graph.GlobalAvgPool2dOp: lambda op, x: x.mean(axis=(2, 3), keepdims=True),
    graph.GlobalMaxPool2dOp: lambda op, x: x.max(axis=(2, 3), keepdims=True),
    graph.ReshapeOp: to_result_shape,
    graph.TransposeOp: lambda op, x: x.transpose(ints(op.perm)),
    graph.SliceOp: slice_op,
    graph.FlattenOp: to_result_shape,
    graph.ConcatOp: lambda op, *v: np.concatenate(v, axis=op.axis.value.data),
    graph.SplitOp: split,
    graph.GatherOp: lambda op, data, indices: gather(data, indices, op.axis.value.data),
    graph.PadOp: pad_op,
    graph.LayerNormOp: layer_norm_op,
    graph.CastOp: cast_op,
    graph.ReduceSumOp: reduce(np.sum),
    graph.ReduceMeanOp: reduce(np.mean),
    graph.ReduceMaxOp: extreme(np.max, -math.inf),
    # Integers, comparisons, more activations and reductions (issue 12).
    graph.CompareOp: lambda op, a, b: COMPARE[op.predicate.data](a, b),
    graph.SelectOp: lambda op, c, a, b: np.where(c, a, b),
    graph.AndOp: lambda op, a, b: np.bitwise_and(a, b),
    graph.OrOp: lambda op, a, b: np.bitwise_or(a, b),
    graph.XorOp: lambda op, a, b: np.bitwise_xor(a, b),
    graph.NotOp: lambda op, x: np.invert(x),
    graph.ModOp: mod_op,
    graph.PReluOp: lambda op, x, slope: np.where(x < 0, slope * x, x),
    graph.SignOp: lambda op, x: np.sign(x),
    graph.FloorOp: lambda op, x: np.floor(x),
    graph.CeilOp: lambda op, x: np.ceil(x),
    graph.RoundOp: lambda op, x: np.round(x),
    graph.SinOp: lambda op, x: np.sin(x),
    graph.CosOp: lambda op, x: np.cos(x),
    graph.SoftplusOp: lambda op, x: softplus(x),
    graph.SoftsignOp: lambda op, x: x / (1 + np.abs(x)),
    graph.MishOp: lambda op, x: x * np.tanh(softplus(x)),
    graph.EluOp: lambda op, x: np.where(x > 0, x, alpha(op) * np.expm1(x)),
    graph.SeluOp: lambda op, x: np.where(x > 0, x, alpha(op) * np.expm1(x)) * op.gamma.value.data,
    graph.CeluOp: lambda op, x: (
        np.maximum(x, 0) + np.minimum(0, alpha(op) * np.expm1(x / alpha(op)))
    ),
    graph.HardSigmoidOp: lambda op, x: np.clip(alpha(op) * x + op.beta.value.data, 0, 1),
    graph.ThresholdedReluOp: lambda op, x: np.where(x > alpha(op), x, 0),
    graph.GeluOp: gelu_op,
    graph.BroadcastToOp: lambda op, x: np.broadcast_to(x, result_shape(op)).copy(),
    graph.TileOp: lambda op, x: np.tile(x, ints(op.repeats)),
    graph.ArgMaxOp: arg_reduce,
    graph.ArgMinOp: arg_reduce,
    graph.ReduceMinOp: extreme(np.min, math.inf),
    graph.ReduceProdOp: reduce(np.prod),
    graph.ReduceL1Op: reduce(lambda x, **k: np.sum(np.abs(x), **k)),
    graph.ReduceL2Op: reduce(lambda x, **k: np.sqrt(np.sum(x * x, **k))),
    graph.ReduceSumSquareOp: reduce(lambda x, **k: np.sum(x * x, **k)),
    graph.ReduceLogSumOp: reduce(log_sum),
    graph.ReduceLogSumExpOp: reduce(log_sum_exp),
    graph.CumSumOp: cumsum_op,
    graph.GroupNormOp: group_norm_op,
    graph.RmsNormOp: rms_norm_op,
    # recurrent networks
    graph.RnnOp: recurrent,
    graph.GruOp: recurrent,
    graph.LstmOp: recurrent,
}


# Integer contractions and requantization ----------------------------------------------------


def matmul_integer(op: graph.MatmulIntegerOp, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a_zero, b_zero = ints(op.zero_points)
    return np.matmul(a.astype(np.int64) - a_zero, b.astype(np.int64) - b_zero)


def conv_integer(op: graph.ConvIntegerOp, x: np.ndarray, w: np.ndarray, b=None) -> np.ndarray:
    x_zero, w_zero = ints(op.zero_points)
    x, w = x.astype(np.int64) - x_zero, w.astype(np.int64) - w_zero
    return conv2d(
        x, w, b, ints(op.strides), ints(op.padding), ints(op.dilation), op.groups.value.data
    )


def requantize(op: graph.RequantizeOp, x: np.ndarray) -> np.ndarray:
    """As onnxruntime: x * scale in float32, rounded half to even, plus the zero point,
    saturated to int8."""
    scale = np.asarray(op.scales(), np.float32)
    if scale.size > 1:
        axis = graph.normalize_axis(op.axis.value.data, x.ndim)
        scale = scale.reshape([-1 if d == axis else 1 for d in range(x.ndim)])
    y = np.rint(x.astype(np.float32) * scale) + op.zero_point.value.data
    return np.clip(y, -128, 127).astype(np.int8)


RULES[graph.MatmulIntegerOp] = matmul_integer
RULES[graph.ConvIntegerOp] = conv_integer
RULES[graph.RequantizeOp] = requantize


# Data layouts (alter-conv-layout) -----------------------------------------------------------


def layout_transform(x: np.ndarray, src: str, dst: str) -> np.ndarray:
    """`x` in layout `src` rearranged into layout `dst` (see graph.Layout). An axis of
    extent 1 splits into blocks of extent 1, so a broadcasting operand still broadcasts."""
    source, target = graph.Layout.parse(src), graph.Layout.parse(dst)
    position = {(axis, factor > 0): d for d, (axis, factor) in enumerate(source.items)}
    # Each primal axis followed by its block, in the source's order, then joined.
    order = [
        position[key] for a in source.primal for key in ((a, False), (a, True)) if key in position
    ]
    extents = [
        x.shape[position[(a, False)]]
        * (x.shape[position[(a, True)]] if (a, True) in position else 1)
        for a in source.primal
    ]
    primal = x.transpose(order).reshape(extents)
    # Split each axis the target blocks, then order the pieces as the target does.
    pieces: list[tuple[str, bool]] = []
    sizes: list[int] = []
    for axis, extent in zip(source.primal, extents, strict=True):
        block = next((f for a, f in target.items if a == axis and f), 0)
        pieces.append((axis, False))
        sizes.append(extent // block if block and extent > 1 else extent)
        if block:
            pieces.append((axis, True))
            sizes.append(block if extent > 1 else 1)
    split = primal.reshape(sizes)
    return split.transpose([pieces.index((a, f > 0)) for a, f in target.items])


def conv2d_nchwc(
    op: graph.Conv2dNchwcOp, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None
) -> np.ndarray:
    in_block, out_block = x.shape[4], w.shape[5]
    out = conv2d(
        layout_transform(x, f"NCHW{in_block}c", "NCHW"),
        layout_transform(w, f"OIHW{in_block}i{out_block}o", "OIHW"),
        None if b is None else b.reshape(-1),
        ints(op.strides),
        ints(op.padding),
        ints(op.dilation),
    )
    return layout_transform(out, "NCHW", f"NCHW{out_block}c")


RULES[graph.LayoutTransformOp] = lambda op, x: layout_transform(
    x, op.src_layout.data, op.dst_layout.data
)
RULES[graph.Conv2dNchwcOp] = conv2d_nchwc


# Indexing, scattering and rearranging (issue 12) ----------------------------------------------


def wrap_indices(indices: np.ndarray, extent: int | np.ndarray) -> np.ndarray:
    """Indices counted from the end when negative, the rest clamped into [0, extent)."""
    wrapped = np.where(indices < 0, indices + extent, indices)
    return np.clip(wrapped, 0, np.asarray(extent) - 1).astype(np.int64)


def gather_elements(data: np.ndarray, indices: np.ndarray, axis: int) -> np.ndarray:
    """numpy.take_along_axis, indices narrower than data on the other axes too."""
    axis %= data.ndim
    box = tuple(slice(None) if d == axis else slice(n) for d, n in enumerate(indices.shape))
    return np.take_along_axis(data[box], wrap_indices(indices, data.shape[axis]), axis=axis)


def gather_nd(data: np.ndarray, indices: np.ndarray, batch_dims: int) -> np.ndarray:
    """ONNX GatherND, its index tuples wrapped as graph.gather_nd's are."""
    depth = indices.shape[-1]
    batch = math.prod(data.shape[:batch_dims])
    tuples = wrap_indices(indices, np.array(data.shape[batch_dims : batch_dims + depth]))
    tuples = tuples.reshape(batch, -1, depth)
    flat = data.reshape(batch, *data.shape[batch_dims:])
    picked = flat[(np.arange(batch)[:, None], *np.moveaxis(tuples, -1, 0))]
    return picked.reshape(*indices.shape[:-1], *data.shape[batch_dims + depth :])


SCATTER_UFUNCS = {"add": np.add, "mul": np.multiply, "max": np.maximum, "min": np.minimum}


def scatter_rows(data: np.ndarray, rows: np.ndarray, updates: np.ndarray, reduction: str):
    """`data` (rows by columns) with row rows[i] updated by updates[i] in order of i."""
    out = data.copy()
    if reduction != "none":
        SCATTER_UFUNCS[reduction].at(out, rows, updates)
        return out
    # The last update of each row wins.
    last = len(rows) - 1 - np.unique(rows[::-1], return_index=True)[1]
    out[rows[last]] = updates[last]
    return out


def scatter_elements(op: graph.ScatterElementsOp, data, indices, updates) -> np.ndarray:
    axis = op.axis_index
    targets = list(np.indices(indices.shape))
    targets[axis] = wrap_indices(indices, data.shape[axis])
    rows = np.ravel_multi_index(tuple(targets), data.shape).reshape(-1)
    flat = scatter_rows(data.reshape(-1, 1), rows, updates.reshape(-1, 1), op.reduction.data)
    return flat.reshape(data.shape)


def scatter_nd(op: graph.ScatterNdOp, data, indices, updates) -> np.ndarray:
    depth = indices.shape[-1]
    tuples = wrap_indices(indices, np.array(data.shape[:depth])).reshape(-1, depth)
    rows = np.ravel_multi_index(tuple(tuples.T), data.shape[:depth])
    width = math.prod(data.shape[depth:])
    flat = scatter_rows(
        data.reshape(-1, width), rows, updates.reshape(-1, width), op.reduction.data
    )
    return flat.reshape(data.shape)


def one_hot(op: graph.OneHotOp, indices: np.ndarray, values: np.ndarray) -> np.ndarray:
    depth = op.depth.value.data
    whole = indices.astype(np.int64)
    whole = np.where(whole < 0, whole + depth, whole)
    hot = np.where(whole[..., None] == np.arange(depth), values[1], values[0])
    return np.moveaxis(hot, -1, op.axis.value.data % hot.ndim)


def trilu(op: graph.TriluOp, x: np.ndarray, k: np.ndarray | None = None) -> np.ndarray:
    diagonal = op.k.value.data if k is None else int(k.reshape(-1)[0])
    return np.triu(x, diagonal) if flag(op, "upper") else np.tril(x, diagonal)


def depth_to_space(x: np.ndarray, size: int, mode: str) -> np.ndarray:
    n, c, h, w = x.shape
    if mode == "DCR":
        blocks = x.reshape(n, size, size, c // size**2, h, w).transpose(0, 3, 4, 1, 5, 2)
    else:
        blocks = x.reshape(n, c // size**2, size, size, h, w).transpose(0, 1, 4, 2, 5, 3)
    return blocks.reshape(n, c // size**2, h * size, w * size)


def space_to_depth(x: np.ndarray, size: int, mode: str) -> np.ndarray:
    n, c, h, w = x.shape
    blocks = x.reshape(n, c, h // size, size, w // size, size)
    order = (0, 3, 5, 1, 2, 4) if mode == "DCR" else (0, 1, 3, 5, 2, 4)
    return blocks.transpose(order).reshape(n, c * size**2, h // size, w // size)


RULES.update(
    {
        graph.GatherElementsOp: lambda op, d, i: gather_elements(d, i, op.axis.value.data),
        graph.GatherNdOp: lambda op, d, i: gather_nd(d, i, op.batch_dims.value.data),
        graph.ScatterElementsOp: scatter_elements,
        graph.ScatterNdOp: scatter_nd,
        graph.OneHotOp: one_hot,
        graph.TriluOp: trilu,
        graph.DepthToSpaceOp: lambda op, x: depth_to_space(
            x, op.blocksize.value.data, op.mode.data
        ),
        graph.SpaceToDepthOp: lambda op, x: space_to_depth(
            x, op.blocksize.value.data, op.mode.data
        ),
    }
)


# Einsum (issue 12) ------------------------------------------------------------------------------


def einsum(op: graph.EinsumOp, *operands: np.ndarray) -> np.ndarray:
    """numpy.einsum of the parsed equation, its ellipsis digits spelled as unused letters."""
    equation = op.parsed()
    used = "".join(equation.operands)
    spare = [c for c in string.ascii_letters if c not in used]
    spelling = str.maketrans("0123456789", "".join(spare[:10]))
    terms = ",".join(equation.operands)
    return np.einsum(f"{terms}->{equation.output}".translate(spelling), *operands)


RULES[graph.EinsumOp] = einsum


# Transposed convolution (issue 12) --------------------------------------------------------------


def conv2d_transpose(op: graph.Conv2dTransposeOp, x, w, b=None) -> np.ndarray:
    """Each input pixel scatters its weight-scaled kernel into the output at stride steps;
    the padding then crops (or, negative, extends) that and output_padding extends it."""
    n, channels, height, width = x.shape
    groups = op.groups.value.data
    strides, dilation = ints(op.strides), ints(op.dilation)
    top, left, _, _ = ints(op.padding)
    _, group_out, kernel_h, kernel_w = w.shape
    out_h, out_w = result_shape(op)[2:]
    # The full output, with room for what output_padding and negative padding add.
    full_h = max(strides[0] * (height - 1) + dilation[0] * (kernel_h - 1) + 1, out_h + top)
    full_w = max(strides[1] * (width - 1) + dilation[1] * (kernel_w - 1) + 1, out_w + left)
    before_h, before_w = max(0, -top), max(0, -left)
    full = np.zeros((n, group_out * groups, before_h + full_h, before_w + full_w))
    per_group = channels // groups
    for g in range(groups):
        xs = x[:, g * per_group : (g + 1) * per_group]
        ws = w[g * per_group : (g + 1) * per_group]
        for ky in range(kernel_h):
            for kx in range(kernel_w):
                y0 = before_h + ky * dilation[0]
                x0 = before_w + kx * dilation[1]
                rows = slice(y0, y0 + strides[0] * (height - 1) + 1, strides[0])
                columns = slice(x0, x0 + strides[1] * (width - 1) + 1, strides[1])
                full[:, g * group_out : (g + 1) * group_out, rows, columns] += np.einsum(
                    "nchw,co->nohw", xs, ws[:, :, ky, kx]
                )
    out = full[:, :, before_h + top :, before_w + left :][:, :, :out_h, :out_w]
    return out if b is None else out + b[None, :, None, None]


RULES[graph.Conv2dTransposeOp] = conv2d_transpose


# Resizing (issue 12) ------------------------------------------------------------------------------


def source_coordinates(op: graph.ResizeOp, axis: int) -> np.ndarray:
    """Where in the input each output position along `axis` samples, as ONNX's
    coordinate_transformation_mode says: in float64, as ONNX's reference computes it, with
    the integer output length where the spec names it, as onnxruntime has it (which
    computes in float32: where the float64 coordinate is exactly half way between two
    pixels, its nearest pixel may be the other one)."""
    length, resized = graph.shape_of(op.input)[axis], result_shape(op)[axis]
    scale = ints(op.scales)[axis]
    y = np.arange(resized, dtype=np.float64)
    mode = op.coordinate_mode.data
    if mode == "half_pixel" or (mode == "pytorch_half_pixel" and resized > 1):
        return (y + 0.5) / scale - 0.5
    if mode == "half_pixel_symmetric":
        offset = length / 2 * (1 - resized / (scale * length))
        return offset + (y + 0.5) / scale - 0.5
    if mode == "asymmetric":
        return y / scale
    if mode == "tf_crop_and_resize":
        assert op.roi is not None
        roi = ints(op.roi)
        start, end = roi[axis], roi[axis + len(roi) // 2]
        if resized == 1:
            return np.full(1, 0.5 * (start + end) * (length - 1))
        return start * (length - 1) + y * (end - start) * (length - 1) / (resized - 1)
    if mode == "align_corners" and resized > 1:
        return y * (length - 1) / (resized - 1)
    return np.zeros(resized)


def cubic_kernel(x: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel with parameter a."""
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x <= 1, near, np.where(x < 2, far, 0.0))


def resize_taps(op: graph.ResizeOp, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """The input positions each output position along `axis` reads (rows of taps, -1 where
    tf_crop_and_resize extrapolates) and the weight of each tap, as ONNX's reference
    chooses the nearest taps to the source coordinate (ties to the smaller index)."""
    length = graph.shape_of(op.input)[axis]
    scale = ints(op.scales)[axis]
    x = source_coordinates(op, axis)
    whole = np.floor(x)
    ratio = np.where(x == whole, 1.0, x - whole)
    mode = op.mode.data
    stretch = min(scale, 1.0) if flag(op, "antialias") else 1.0
    if mode == "nearest":
        nearest = op.nearest_mode.data
        right = {
            "round_prefer_floor": ratio > 0.5,
            "round_prefer_ceil": ratio >= 0.5,
            "floor": ratio == 1.0,
            "ceil": np.ones_like(ratio, bool),
        }[nearest]
        weights = np.stack([~right, right], axis=-1).astype(np.float64)
    elif mode == "linear":
        start = int(np.floor(-1 / stretch) + 1)
        offsets = np.arange(start, 2 - start)
        weights = np.clip(1 - np.abs((offsets - ratio[:, None]) * stretch), 0, 1)
    else:
        start = int(np.floor(-2 / stretch) + 1)
        offsets = np.arange(start, 2 - start)
        weights = cubic_kernel((offsets - ratio[:, None]) * stretch, op.cubic_coeff_a.value.data)
    if stretch != 1.0:
        weights = weights / weights.sum(axis=-1, keepdims=True)
    count = weights.shape[-1]
    # The taps are the `count` integers nearest the coordinate, ties to the smaller ones.
    fraction = x - np.floor(x)
    if count % 2 == 0:
        first = np.floor(x) - count // 2 + np.where(fraction == 0, 0, 1)
    else:
        first = np.floor(x) - (count - 1) // 2 + np.where(fraction <= 0.5, 0, 1)
    taps = first.astype(np.int64)[:, None] + np.arange(count)
    if flag(op, "exclude_outside"):
        weights = np.where((taps < 0) | (taps >= length), 0.0, weights)
        total = weights.sum(axis=-1, keepdims=True)
        weights = weights / np.where(total == 0, 1.0, total)
    taps = np.clip(taps, 0, length - 1)
    if op.coordinate_mode.data == "tf_crop_and_resize":
        taps[(x < 0) | (x > length - 1)] = -1
    return taps, weights


def resize(op: graph.ResizeOp, x: np.ndarray) -> np.ndarray:
    """The interpolation one axis at a time (it is separable), then the extrapolation."""
    outside = np.zeros(result_shape(op), bool)
    for axis in range(x.ndim):
        taps, weights = resize_taps(op, axis)
        where = [1] * x.ndim
        where[axis] = taps.shape[0]
        outside |= (taps[:, 0] < 0).reshape(where)
        picked = np.take(x, np.maximum(taps, 0), axis=axis)  # the taps after the axis
        rows = np.moveaxis(picked, (axis, axis + 1), (-2, -1))
        x = np.moveaxis((rows * weights).sum(axis=-1), -1, axis)
    return np.where(outside, op.extrapolation_value.value.data, x)


RULES[graph.ResizeOp] = resize


# Quantization (issue 12) ------------------------------------------------------------------------


def quantization_parameter(op: graph.LinearQuantizationOp, value: np.ndarray) -> np.ndarray:
    """A scale or zero point spread over the input: per tensor, per axis or per block."""
    axis, block = op.granularity()
    rank = len(graph.shape_of(op.input))
    if block == 0:
        return value.reshape(())
    if block == 1:
        return value.reshape([-1 if d == axis else 1 for d in range(rank)])
    extent = graph.shape_of(op.input)[axis]
    return np.repeat(value, block, axis=axis).take(np.arange(extent), axis=axis)


def quantize_linear(op: graph.QuantizeLinearOp, x, scale, zero_point=None) -> np.ndarray:
    """x / scale in the scale's type, rounded half to even, plus the zero point, saturated."""
    precision = element_dtype(graph.tensor(op.scale).element_type)
    element = op.output.type.element_type  # type: ignore[attr-defined]
    info = np.iinfo(element_dtype(element))
    quotient = x.astype(precision) / quantization_parameter(op, scale).astype(precision)
    value = np.rint(quotient).astype(np.float64)
    if zero_point is not None:
        value = value + quantization_parameter(op, zero_point)
    return np.clip(value, info.min, info.max)


def dequantize_linear(op: graph.DequantizeLinearOp, x, scale, zero_point=None) -> np.ndarray:
    difference = x.astype(np.int64)
    if zero_point is not None:
        difference = difference - quantization_parameter(op, zero_point).astype(np.int64)
    return difference * quantization_parameter(op, scale)


RULES[graph.QuantizeLinearOp] = quantize_linear
RULES[graph.DequantizeLinearOp] = dequantize_linear


# Attention (issue 12) -------------------------------------------------------------------------


def masked_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """Softmax along `axis`, a slice that is -inf everywhere giving zeros."""
    top = x.max(axis=axis, keepdims=True)
    masked = np.isneginf(top)
    e = np.exp(x - np.where(masked, 0.0, top))
    total = e.sum(axis=axis, keepdims=True)
    return np.where(masked, 0.0, e / np.where(masked, 1.0, total))


RULES[graph.MaskedSoftmaxOp] = lambda op, x: masked_softmax(x, op.axis.value.data)
