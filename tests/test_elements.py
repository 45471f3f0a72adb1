"""elements.py: dense elements attributes to numpy arrays and back, exactly, for every
element type we compile, at odd shapes, empty, splat, and NaN and infinity included; and
as fast as copying the bytes."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import (
    BFloat16Type,
    Builtin,
    BytesAttr,
    DenseIntOrFPElementsAttr,
    IndexType,
    TensorType,
    VectorType,
    f16,
    f32,
    f64,
    i1,
    i8,
    i16,
    i32,
    i64,
)
from xdsl.parser import Parser

from ziggurat.diagnostics import ZigguratError
from ziggurat.elements import array_to_dense, dense_to_array, element_dtype

ELEMENTS = {
    "f16": (f16, np.float16),
    "f32": (f32, np.float32),
    "f64": (f64, np.float64),
    "i1": (i1, np.bool_),
    "i8": (i8, np.int8),
    "i16": (i16, np.int16),
    "i32": (i32, np.int32),
    "i64": (i64, np.int64),
}
SHAPES = [(), (1,), (7,), (13, 7), (2, 1, 3, 5), (0,), (3, 0, 2)]


def random_array(dtype: type, shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Every bit pattern is as likely: NaNs (with payloads), infinities, subnormals and the
    extreme integers turn up, and bools are 0 or 1."""
    rng = np.random.default_rng(seed)
    if dtype is np.bool_:
        return rng.integers(0, 2, shape).astype(np.bool_)
    size = np.dtype(dtype).itemsize
    return rng.integers(0, 256, (*shape, size), dtype=np.uint8).view(dtype).reshape(shape)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def parse(text: str) -> DenseIntOrFPElementsAttr:
    ctx = Context()
    ctx.load_dialect(Builtin)
    attr = Parser(ctx, text).parse_attribute()
    assert isinstance(attr, DenseIntOrFPElementsAttr)
    return attr


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", ELEMENTS)
def test_arrays_round_trip_exactly(name: str, shape: tuple[int, ...]):
    element, dtype = ELEMENTS[name]
    array = random_array(dtype, shape, seed=len(shape) + 17 * len(name))
    attr = array_to_dense(array, TensorType(element, shape))
    assert attr.get_shape() == shape and attr.get_element_type() == element
    back = dense_to_array(attr)
    assert same_bits(back, array)
    assert element_dtype(element) == dtype


@pytest.mark.parametrize("name", ELEMENTS)
def test_the_bytes_are_what_xdsl_reads(name: str):
    """xDSL's own per-element reading of the attribute gives the same elements."""
    element, dtype = ELEMENTS[name]
    array = random_array(dtype, (3, 5), seed=1)
    values = array_to_dense(array, TensorType(element, [3, 5])).get_values()
    expected = array.reshape(-1)
    if dtype is np.bool_:  # xDSL reads i1 as a signed byte
        assert [value != 0 for value in values] == expected.tolist()
    else:
        assert same_bits(np.array(values, dtype), expected)


@pytest.mark.parametrize("name", ["f16", "f32", "f64", "i8", "i16", "i32", "i64"])
def test_attributes_xdsl_builds_are_read_exactly(name: str):
    element, dtype = ELEMENTS[name]
    array = random_array(dtype, (4, 3), seed=2)
    if np.issubdtype(dtype, np.floating):
        array[0, :3] = [np.nan, np.inf, -np.inf]
    attr = DenseIntOrFPElementsAttr.from_list(TensorType(element, [4, 3]), array.ravel().tolist())
    assert same_bits(dense_to_array(attr), array)


def test_booleans_as_the_parser_writes_them_and_as_numpy_does():
    parsed = parse("dense<[true, false, true]> : tensor<3xi1>")
    assert parsed.data.data == b"\xff\x00\xff"
    assert same_bits(dense_to_array(parsed), np.array([True, False, True]))
    written = array_to_dense(np.array([True, False, True]), TensorType(i1, [3]))
    assert written.data.data == b"\x01\x00\x01"  # as a bool buffer lies in memory


def test_splats_parsed_or_kept_as_one_element():
    parsed = parse("dense<1.5> : tensor<2x3xf32>")
    assert same_bits(dense_to_array(parsed), np.full((2, 3), 1.5, np.float32))
    one = DenseIntOrFPElementsAttr(TensorType(i32, [4, 2]), BytesAttr(np.int32(-7).tobytes()))
    assert same_bits(dense_to_array(one), np.full((4, 2), -7, np.int32))
    assert same_bits(dense_to_array(parse("dense<true> : tensor<3xi1>")), np.ones(3, np.bool_))


def test_a_value_is_cast_and_broadcast_to_the_type():
    attr = array_to_dense(np.arange(3.0), TensorType(f16, [2, 3]))
    assert same_bits(dense_to_array(attr), np.tile(np.arange(3, dtype=np.float16), (2, 1)))
    attr = array_to_dense([[1.9, -2.9]], TensorType(i64, [3, 2]))
    assert same_bits(dense_to_array(attr), np.array([[1, -2]] * 3, np.int64))
    attr = array_to_dense(2.0, TensorType(f64, []))
    assert same_bits(dense_to_array(attr), np.array(2.0))
    big_endian = np.arange(4, dtype=">i4")
    attr = array_to_dense(big_endian, TensorType(i32, [4]))
    assert attr.get_values() == (0, 1, 2, 3)


def test_vectors_and_index_elements():
    attr = array_to_dense(np.array([5, -6]), VectorType(IndexType(), [2]))
    assert attr.get_values() == (5, -6)
    assert same_bits(dense_to_array(attr), np.array([5, -6], np.int64))


def test_an_element_type_numpy_lacks_is_an_error():
    with pytest.raises(ZigguratError, match="elements of type bf16 have no numpy type"):
        element_dtype(BFloat16Type())


def test_four_million_elements_take_milliseconds():
    """A loop over the elements in Python takes about half a second each way here."""
    array = random_array(np.float32, (2048, 2048), seed=3)
    type = TensorType(f32, array.shape)
    start = time.perf_counter()
    back = dense_to_array(array_to_dense(array, type))
    elapsed = time.perf_counter() - start
    assert same_bits(back, array)
    assert elapsed < 0.25, f"{math.prod(array.shape)} elements took {elapsed:.3f} s"


def test_the_bytes_an_array_views_whole_are_kept_not_copied():
    """An ONNX initializer's array views its raw bytes: the attribute keeps those bytes."""
    raw = np.arange(24, dtype=np.float32).tobytes()
    viewed = np.frombuffer(raw, np.float32).reshape(2, 3, 4)
    attr = array_to_dense(viewed, TensorType(f32, [2, 3, 4]))
    assert attr.data.data is raw
    assert same_bits(dense_to_array(attr), viewed)


@pytest.mark.parametrize(
    "view",
    [
        lambda a: a.reshape(2, 3, 4).transpose(0, 2, 1),  # another order
        lambda a: a[4:],  # a part of the bytes
        lambda a: a[::2],  # strided
    ],
)
def test_an_array_that_views_bytes_otherwise_is_copied_in_row_major_order(view):
    raw = np.arange(24, dtype=np.float32).tobytes()
    array = view(np.frombuffer(raw, np.float32))
    attr = array_to_dense(array, TensorType(f32, list(array.shape)))
    assert attr.data.data is not raw
    assert same_bits(dense_to_array(attr), np.ascontiguousarray(array))
