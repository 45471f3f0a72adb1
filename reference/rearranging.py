"""numpy rules that move data: block layouts, gathers and scatters, one-hot, trilu,
depth/space, einsum."""

from __future__ import annotations

import math
import string

import numpy as np

from ziggurat.dialects import graph
from ziggurat.reference.operators import conv2d, flag, ints

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


# Einsum (issue 12) ------------------------------------------------------------------------------


def einsum(op: graph.EinsumOp, *operands: np.ndarray) -> np.ndarray:
    """numpy.einsum of the parsed equation, its ellipsis digits spelled as unused letters."""
    equation = op.parsed()
    used = "".join(equation.operands)
    spare = [c for c in string.ascii_letters if c not in used]
    spelling = str.maketrans("0123456789", "".join(spare[:10]))
    terms = ",".join(equation.operands)
    return np.einsum(f"{terms}->{equation.output}".translate(spelling), *operands)
