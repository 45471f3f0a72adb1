"""The systolic level: the instructions of a weight-stationary systolic array.

The array is `size` x `size` processing elements. `systolic.weights` fills it with a block
of a DRAM weight tensor, one element per PE, where it stays; `systolic.stream` then
streams rows of a DRAM input tensor through it: each row of `size` int8 values comes out
as `size` int32 sums, the row times the block, written (or added) to a row of a DRAM
output tensor. Instructions run in program order (targets/systolic/simulator.py).

    systolic.array size 8 {
      systolic.weights %B[0] strides [16, 1] : memref<16x16xi8>
      systolic.stream %A[0] strides [16, 1] rows 32 into %C[0] strides [16, 1] : memref<32x16xi8>, memref<32x16xi32>
      systolic.weights %B[128] strides [16, 1] : memref<16x16xi8>
      systolic.stream %A[8] strides [16, 1] rows 32 into %C[0] strides [16, 1] accumulate : memref<32x16xi8>, memref<32x16xi32>
    }

`weights %B[o] strides [k, n]` puts `B[o + k*sk + n*sn]` in PE (k, n); `stream %A[o] strides
[r, k] rows R into %C[p] strides [r, n]` computes, for each row r < R,
`C[p + r*rc + n*sn] (+)= sum over k of A[o + r*ra + k*sk] * PE(k, n)`.
"""

from __future__ import annotations

from xdsl.dialects.builtin import (
    I64,
    DenseArrayBase,
    IntegerAttr,
    IntegerType,
    MemRefType,
    UnitAttr,
    i64,
)
from xdsl.ir import Block, Dialect, Operation, Region
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    traits_def,
)
from xdsl.traits import NoTerminator
from xdsl.utils.exceptions import VerifyException


def array_size(op: Operation) -> int:
    parent = op.parent_op()
    if not isinstance(parent, ArrayOp):
        raise VerifyException(f"'{op.name}' runs in a systolic.array")
    return parent.size.value.data


def check_box(
    op: Operation, tensor: MemRefType, offset: int, extents, strides, element: int
) -> None:
    """The box lies in the tensor, whose elements are of `element` bits."""
    if tensor.element_type != IntegerType(element):
        raise VerifyException(f"'{op.name}' needs i{element} here, not {tensor.element_type}")
    count = 1
    for size in tensor.get_shape():
        count *= size
    last = offset + sum((e - 1) * s for e, s in zip(extents, strides, strict=True))
    if offset < 0 or last >= count:
        raise VerifyException(f"'{op.name}' reaches element {last} of a tensor of {count}")


@irdl_op_definition
class WeightsOp(IRDLOperation):
    """Fill the array with a size x size block of an int8 tensor.

    systolic.weights %B[0] strides [16, 1] : memref<16x16xi8>
    """

    name = "systolic.weights"

    tensor = operand_def(MemRefType)
    offset = prop_def(IntegerAttr[I64])
    strides = prop_def(DenseArrayBase[I64])

    assembly_format = "$tensor `[` $offset `]` `strides` $strides attr-dict `:` type($tensor)"

    def __init__(self, tensor, offset: int, strides):
        super().__init__(
            operands=[tensor],
            properties={
                "offset": IntegerAttr(offset, i64),
                "strides": DenseArrayBase.from_list(i64, strides),
            },
        )

    def verify_(self) -> None:
        size = array_size(self)
        strides = self.strides.get_values()
        check_box(self, self.tensor.type, self.offset.value.data, (size, size), strides, 8)  # type: ignore[arg-type]


@irdl_op_definition
class StreamOp(IRDLOperation):
    """Stream rows of an int8 tensor through the array into rows of an int32 tensor,
    added to them with `accumulate`.

    systolic.stream %A[0] strides [16, 1] rows 32 into %C[0] strides [16, 1] : memref<32x16xi8>, memref<32x16xi32>
    """

    name = "systolic.stream"

    input = operand_def(MemRefType)
    output = operand_def(MemRefType)
    input_offset = prop_def(IntegerAttr[I64])
    input_strides = prop_def(DenseArrayBase[I64])
    rows = prop_def(IntegerAttr[I64])
    output_offset = prop_def(IntegerAttr[I64])
    output_strides = prop_def(DenseArrayBase[I64])
    accumulate = opt_prop_def(UnitAttr)

    assembly_format = (
        "$input `[` $input_offset `]` `strides` $input_strides `rows` $rows `into` $output "
        "`[` $output_offset `]` `strides` $output_strides (`accumulate` $accumulate^)? "
        "attr-dict `:` type($input) `,` type($output)"
    )

    def __init__(
        self, input, offset, strides, rows, output, output_offset, output_strides, accumulate
    ):
        properties = {
            "input_offset": IntegerAttr(offset, i64),
            "input_strides": DenseArrayBase.from_list(i64, strides),
            "rows": IntegerAttr(rows, i64),
            "output_offset": IntegerAttr(output_offset, i64),
            "output_strides": DenseArrayBase.from_list(i64, output_strides),
        }
        if accumulate:
            properties["accumulate"] = UnitAttr()
        super().__init__(operands=[input, output], properties=properties)

    def verify_(self) -> None:
        size, rows = array_size(self), self.rows.value.data
        if rows <= 0:
            raise VerifyException(f"'systolic.stream' streams at least one row, not {rows}")
        extents = (rows, size)
        check_box(
            self,
            self.input.type,
            self.input_offset.value.data,
            extents,
            self.input_strides.get_values(),
            8,
        )  # type: ignore[arg-type]
        check_box(
            self,
            self.output.type,
            self.output_offset.value.data,
            extents,
            self.output_strides.get_values(),
            32,
        )  # type: ignore[arg-type]


@irdl_op_definition
class ArrayOp(IRDLOperation):
    """The instructions of one size x size array, in program order.

    systolic.array size 8 { ... }
    """

    name = "systolic.array"

    size = prop_def(IntegerAttr[I64])
    body = region_def("single_block")

    traits = traits_def(NoTerminator())

    assembly_format = "`size` $size attr-dict-with-keyword $body"

    def __init__(self, size: int, ops=()):
        super().__init__(
            properties={"size": IntegerAttr(size, i64)}, regions=[Region(Block(list(ops)))]
        )

    def verify_(self) -> None:
        if self.size.value.data <= 0:
            raise VerifyException("the array's size must be positive")
        if any(not isinstance(op, WeightsOp | StreamOp) for op in self.body.block.ops):
            raise VerifyException("a systolic.array holds systolic.weights and systolic.stream")


Systolic = Dialect("systolic", [ArrayOp, WeightsOp, StreamOp], [])
