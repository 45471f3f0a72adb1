"""Dense elements attributes (the values of constants, at every level) as numpy arrays and
back, through their bytes: no Python loop over the elements; and where a memref type says
its elements lie (its strides and offset, where static).

xDSL keeps a `DenseIntOrFPElementsAttr` as the little-endian bytes of its elements in
row-major order, each packed as its element type's `format` says; i1 takes a byte (its
parser writes true as -1, numpy as 1: either reads back as true), and a splat may be kept
as one element.

    array = dense_to_array(op.value)                  # a read-only view of its bytes
    attr = array_to_dense(array * 2, op.value.get_type())
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from xdsl.dialects.builtin import (
    BytesAttr,
    DenseIntOrFPElementsAttr,
    IndexType,
    IntegerType,
    MemRefType,
    NoneAttr,
    StridedLayoutAttr,
    TensorType,
    VectorType,
)
from xdsl.ir import Attribute, Operation

from ziggurat.diagnostics import ZigguratError


def element_dtype(element: Attribute, where: str = "") -> np.dtype:
    """The numpy dtype of an element type: bool for i1, int64 for index, else the one xDSL
    packs it as; a type numpy lacks (bf16) is an error at `where`."""
    if isinstance(element, IntegerType) and element.width.data == 1:
        return np.dtype(np.bool_)
    if isinstance(element, IndexType):
        return np.dtype(np.int64)
    try:
        return np.dtype(element.format)  # type: ignore[attr-defined]
    except (AttributeError, NotImplementedError):
        raise ZigguratError(f"elements of type {element} have no numpy type", where) from None


def dense_to_array(attr: DenseIntOrFPElementsAttr) -> np.ndarray:
    """The elements of `attr` as a numpy array of its shape; it views the attribute's
    bytes, so it is read-only (except for i1 and splats kept as one element: copies)."""
    element = attr.get_element_type()
    shape = attr.get_shape()
    dtype = element_dtype(element)
    stored = np.frombuffer(attr.data.data, np.dtype(element.format))  # type: ignore[union-attr]
    if dtype == np.bool_:
        stored = stored != 0
    if stored.size == 1 and math.prod(shape) != 1:
        return np.full(shape, stored[0], dtype)
    return stored.reshape(shape)


def array_to_dense(array: ArrayLike, type: TensorType | VectorType) -> DenseIntOrFPElementsAttr:
    """A dense attribute of `type` holding `array`, cast to its element type as numpy's
    astype casts and broadcast to its shape."""
    dtype = element_dtype(type.element_type)
    values = np.broadcast_to(np.asarray(array), type.get_shape()).astype(dtype, copy=False)
    return DenseIntOrFPElementsAttr(type, BytesAttr(bytes_of(values)))


def bytes_of(values: np.ndarray) -> bytes:
    """The bytes of `values` in row-major order: the bytes object it views where it views
    one whole, in that order (an ONNX initializer's raw data: 100 MB for ResNet-50, no
    copy), else a copy."""
    owner = values.base
    while isinstance(owner, np.ndarray):
        owner = owner.base
    if (
        isinstance(owner, bytes)
        and values.flags.c_contiguous
        and values.dtype.byteorder in "=<|"
        and values.dtype != np.bool_
        and values.nbytes == len(owner)
        and values.ctypes.data == np.frombuffer(owner, np.uint8).ctypes.data
    ):
        return owner
    return values.tobytes()


def static_strides(type: MemRefType, where: Operation | None = None) -> list[int | None]:
    """The strides a memref type states (None where only known at run time)."""
    shape = type.get_shape()
    if isinstance(type.layout, NoneAttr):
        strides: list[int | None] = []
        running: int | None = 1
        for size in reversed(shape):
            strides.append(running)
            running = None if running is None or size < 0 else running * size
        return strides[::-1]
    if isinstance(type.layout, StridedLayoutAttr):
        return list(type.layout.get_strides())
    raise ZigguratError(f"memref layout {type.layout} is not strided", where)


def static_offset(type: MemRefType) -> int | None:
    """The offset a memref type states (None where only known at run time)."""
    if isinstance(type.layout, StridedLayoutAttr):
        return type.layout.get_offset()
    return 0


def static_size(size: int) -> int | None:
    return None if size < 0 else size
