"""The accelerator level: the instruction stream of a decoupled access-execute accelerator.

The accelerator (TVM's VTA, targets/accel) has three units, each running its own
instructions in order: the load unit copies DRAM tensors into on-chip buffers (DMA), the
compute unit runs the gemm core (int8 x int8 products summed in int32 in the accumulator)
and the ALU (add, max, min, shift right, clip on the accumulator), the store unit copies
the accumulator back to DRAM, narrowing each value to the tensor's type. Buffers have a
scope (input and weight hold int8, the accumulator int32) and a size in elements; an
instruction addresses them by element. Dependency tokens order the units: tokens carry no
data, and a unit pushes one to a neighbour on one of four queues (load->compute: data
loaded, compute->load: input buffer free, compute->store: result ready, store->compute:
output buffer free) and the neighbour pops it before it goes on. An `accel.program` is
one stream in program order; each unit runs the instructions that are its own.

    accel.program tile 16 {
      %inp = accel.buffer : !accel.buffer<input, 32768, i8>
      %wgt = accel.buffer : !accel.buffer<weight, 65536, i8>
      %acc = accel.buffer : !accel.buffer<accumulator, 8192, i32>
      accel.gemm %acc[0 | 1] = 0 loops [64 x (16)] : !accel.buffer<accumulator, 8192, i32>
      accel.load %A[0] sizes [16, 64] strides [64, 1] into %inp[0] : memref<16x64xi8>, !accel.buffer<input, 32768, i8>
      accel.load %B[0] sizes [64, 64] strides [1, 64] into %wgt[0] : memref<64x64xi8>, !accel.buffer<weight, 65536, i8>
      accel.push load to compute
      accel.pop compute from load
      accel.gemm %acc[0 | 1] += %inp[0 | 1] * %wgt[0 | 1, 64] loops [16 x (64, 64, 0), 4 x (16, 0, 1024), 4 x (0, 16, 16)] : ...
      accel.alu shr %acc[0 | 1], 8 round loops [64 x (16)] : !accel.buffer<accumulator, 8192, i32>
      accel.push compute to store
      accel.pop store from compute
      accel.store %acc[0] sizes [16, 64] into %C[0] strides [64, 1] : !accel.buffer<accumulator, 8192, i32>, memref<16x64xi8>
    }

A gemm or ALU instruction runs a nest of loops (`loops [extent x (steps...)]`, outermost
first), each step moving one operand's base address; in one iteration the gemm computes
`acc[a + j*sj] += sum over k of inp[i + k*sk] * wgt[w + k*wk + j*wj]` for j, k below the
program's `tile`, written `%acc[a | sj] += %inp[i | sk] * %wgt[w | wk, wj]`, and the ALU
applies its op to `tile` lanes of `%dst[d | lane stride]`, with an immediate or the lanes
of `%src[s | lane stride]`. The verifier checks what one instruction can get wrong (scopes
and element types, regions inside their buffer, queues that exist) at the instruction, and
the token program of a whole stream: every pop has a push on its queue that can reach it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from xdsl.dialects.builtin import (
    I64,
    DenseArrayBase,
    IntAttr,
    IntegerAttr,
    IntegerType,
    MemRefType,
    StringAttr,
    UnitAttr,
    i64,
)
from xdsl.ir import (
    Attribute,
    Block,
    Dialect,
    Operation,
    ParametrizedAttribute,
    Region,
    SSAValue,
    TypeAttribute,
)
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
)
from xdsl.parser import AttrParser, Parser
from xdsl.printer import Printer
from xdsl.traits import NoTerminator
from xdsl.utils.exceptions import VerifyException

# Each scope's element type.
SCOPES = {"input": IntegerType(8), "weight": IntegerType(8), "accumulator": IntegerType(32)}
UNITS = ("load", "compute", "store")
QUEUES = (("load", "compute"), ("compute", "load"), ("compute", "store"), ("store", "compute"))
ALU_OPS = {"add": 1, "max": 1, "min": 1, "shr": 1, "clip": 2}  # op: its immediates


class InstructionError(VerifyException):
    """A verifier error about one instruction of a program, reported at that instruction."""

    def __init__(self, message: str, op: Operation):
        super().__init__(message)
        self.op = op


def ints(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, list(values))


def values(attr: DenseArrayBase | None) -> tuple[int, ...]:
    return () if attr is None else tuple(attr.get_values())  # type: ignore[arg-type]


# The on-chip buffers -----------------------------------------------------------------------


@irdl_attr_definition
class BufferType(ParametrizedAttribute, TypeAttribute):
    """An on-chip buffer of a scope and a size in elements: `!accel.buffer<input, 32768, i8>`."""

    name = "accel.buffer"

    scope: StringAttr
    size: IntAttr
    element_type: Attribute

    def __init__(self, scope: str, size: int, element_type: Attribute | None = None):
        super().__init__(StringAttr(scope), IntAttr(size), element_type or SCOPES[scope])

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            scope = parser.parse_identifier("buffer scope")
            parser.parse_punctuation(",")
            size = parser.parse_integer(allow_boolean=False)
            parser.parse_punctuation(",")
            element = parser.parse_type()
        return StringAttr(scope), IntAttr(size), element

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.scope.data}, {self.size.data}, ")
        printer.print_attribute(self.element_type)
        printer.print_string(">")

    def verify(self) -> None:
        scope = self.scope.data
        if scope not in SCOPES:
            raise VerifyException(
                f"unknown buffer scope '{scope}', expected one of {', '.join(SCOPES)}"
            )
        if self.element_type != SCOPES[scope]:
            raise VerifyException(
                f"the {scope} buffer holds {SCOPES[scope]}, not {self.element_type}"
            )
        if self.size.data <= 0:
            raise VerifyException(f"a buffer's size must be positive, got {self.size.data}")


def buffer_type(value: SSAValue) -> BufferType:
    assert isinstance(value.type, BufferType)
    return value.type


@irdl_op_definition
class BufferOp(IRDLOperation):
    """One on-chip buffer of the program.

    %inp = accel.buffer : !accel.buffer<input, 32768, i8>
    """

    name = "accel.buffer"

    result = result_def(BufferType)

    assembly_format = "attr-dict `:` type($result)"

    def __init__(self, type: BufferType):
        super().__init__(result_types=[type])


# Shared syntax: views and loops --------------------------------------------------------------


def parse_view(parser: Parser) -> tuple[SSAValue, list[int]]:
    """`%buffer[base | stride, ...]`, the operand unresolved until its type is known."""
    operand = parser.parse_unresolved_operand()
    parser.parse_punctuation("[")
    numbers = [parser.parse_integer(allow_boolean=False)]
    parser.parse_punctuation("|")
    numbers.append(parser.parse_integer(allow_boolean=False))
    while parser.parse_optional_punctuation(","):
        numbers.append(parser.parse_integer(allow_boolean=False))
    parser.parse_punctuation("]")
    return operand, numbers  # type: ignore[return-value]


def print_view(printer: Printer, value: SSAValue, view: Sequence[int]) -> None:
    printer.print_ssa_value(value)
    printer.print_string(f"[{view[0]} | {', '.join(map(str, view[1:]))}]")


def parse_loops(parser: Parser) -> tuple[list[int], list[int]]:
    """`loops [extent x (step, ...), ...]`: the extents and the steps, flattened."""
    parser.parse_keyword("loops")
    extents: list[int] = []
    steps: list[int] = []

    def loop() -> None:
        extents.append(parser.parse_integer(allow_boolean=False))
        parser.parse_keyword("x")
        steps.extend(
            parser.parse_comma_separated_list(
                parser.Delimiter.PAREN, lambda: parser.parse_integer(allow_boolean=False)
            )
        )

    parser.parse_comma_separated_list(parser.Delimiter.SQUARE, loop)
    return extents, steps


def print_loops(printer: Printer, extents: Sequence[int], steps: Sequence[int]) -> None:
    arity = len(steps) // max(len(extents), 1)
    loops = [
        f"{e} x ({', '.join(map(str, steps[n * arity : (n + 1) * arity]))})"
        for n, e in enumerate(extents)
    ]
    printer.print_string(f" loops [{', '.join(loops)}]")


def span(base: int, terms: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """The lowest and highest address of `base + sum of index * step` over `terms` of
    (extent, step)."""
    low = base + sum(min(0, (e - 1) * s) for e, s in terms)
    high = base + sum(max(0, (e - 1) * s) for e, s in terms)
    return low, high


@dataclass(frozen=True)
class Access:
    """The addresses an instruction reads or writes in one buffer (or DRAM tensor)."""

    buffer: SSAValue
    low: int
    high: int
    write: bool

    def overlaps(self, other: Access) -> bool:
        return self.buffer is other.buffer and self.low <= other.high and other.low <= self.high


class Instruction(IRDLOperation):
    """An instruction of one unit."""

    UNIT: ClassVar[str]

    def unit_name(self) -> str:
        return self.UNIT

    def accesses(self, tile: int) -> list[Access]:
        """The buffer regions it reads and writes."""
        return []

    def check_regions(self, tile: int) -> None:
        for access in self.accesses(tile):
            if isinstance(access.buffer.type, BufferType):
                size = access.buffer.type.size.data
                if access.low < 0 or access.high >= size:
                    name = f"%{access.buffer.name_hint}" if access.buffer.name_hint else "its"
                    raise InstructionError(
                        f"'{self.name}' touches elements {access.low} to {access.high} of "
                        f"{name} {access.buffer.type.scope.data} buffer, which holds {size}",
                        self,
                    )


def check_scope(op: Operation, value: SSAValue, scopes: Sequence[str], what: str) -> None:
    found = buffer_type(value).scope.data
    if found not in scopes:
        raise VerifyException(
            f"'{op.name}' {what} the {' or '.join(scopes)} buffer, not the {found}"
        )


def check_loops(op: Operation, extents: Sequence[int], steps: Sequence[int], arity: int) -> None:
    if len(steps) != arity * len(extents):
        raise VerifyException(f"'{op.name}' needs {arity} steps per loop, one per operand")
    if any(e <= 0 for e in extents):
        raise VerifyException(f"'{op.name}' loop extents must be positive, got {list(extents)}")


def loop_terms(extents: Sequence[int], steps: Sequence[int], operand: int, arity: int):
    return [(e, steps[n * arity + operand]) for n, e in enumerate(extents)]


# Data movement -------------------------------------------------------------------------------


def dram_span(op: Operation, tensor: SSAValue, offset: int, sizes, strides) -> tuple[int, int]:
    low, high = span(offset, list(zip(sizes, strides, strict=True)))
    tensor_type = tensor.type
    assert isinstance(tensor_type, MemRefType)
    count = 1
    for d in tensor_type.get_shape():
        count *= d
    if low < 0 or high >= count:
        raise VerifyException(
            f"'{op.name}' reaches elements {low} to {high} of a tensor of {count} elements"
        )
    return low, high


@irdl_op_definition
class LoadOp(Instruction):
    """Copy a strided box of a DRAM tensor into a buffer, row-major from `address`, with
    zero padding before and after each dimension (the load unit's DMA).

    accel.load %A[0] sizes [16, 64] strides [64, 1] pad [1, 0] [1, 0] into %inp[0] : memref<16x64xi8>, !accel.buffer<input, 32768, i8>
    """

    name = "accel.load"
    UNIT: ClassVar[str] = "load"

    source = operand_def(MemRefType)
    buffer = operand_def(BufferType)
    offset = prop_def(IntegerAttr[I64])
    sizes = prop_def(DenseArrayBase[I64])
    strides = prop_def(DenseArrayBase[I64])
    pad_before = opt_prop_def(DenseArrayBase[I64])
    pad_after = opt_prop_def(DenseArrayBase[I64])
    address = prop_def(IntegerAttr[I64])

    assembly_format = (
        "$source `[` $offset `]` `sizes` $sizes `strides` $strides "
        "(`pad` $pad_before^ $pad_after)? `into` $buffer `[` $address `]` attr-dict "
        "`:` type($source) `,` type($buffer)"
    )

    def __init__(
        self,
        source: SSAValue,
        offset: int,
        sizes: Sequence[int],
        strides: Sequence[int],
        buffer: SSAValue,
        address: int,
        pad_before: Sequence[int] = (),
        pad_after: Sequence[int] = (),
    ):
        properties: dict[str, Attribute] = {
            "offset": IntegerAttr(offset, i64),
            "sizes": ints(sizes),
            "strides": ints(strides),
            "address": IntegerAttr(address, i64),
        }
        if any(pad_before) or any(pad_after):
            properties["pad_before"] = ints(pad_before or [0] * len(sizes))
            properties["pad_after"] = ints(pad_after or [0] * len(sizes))
        super().__init__(operands=[source, buffer], properties=properties)

    def padded_sizes(self) -> list[int]:
        before = values(self.pad_before) or (0,) * len(values(self.sizes))
        after = values(self.pad_after) or (0,) * len(values(self.sizes))
        return [b + s + a for b, s, a in zip(before, values(self.sizes), after, strict=True)]

    def elements(self) -> int:
        count = 1
        for size in self.padded_sizes():
            count *= size
        return count

    def accesses(self, tile: int) -> list[Access]:
        address = self.address.value.data
        sizes, strides = values(self.sizes), values(self.strides)
        low, high = span(self.offset.value.data, list(zip(sizes, strides, strict=True)))
        return [
            Access(self.source, low, high, False),
            Access(self.buffer, address, address + self.elements() - 1, True),
        ]

    def verify_(self) -> None:
        sizes, strides = values(self.sizes), values(self.strides)
        rank = len(sizes)
        if not 1 <= rank <= 4 or len(strides) != rank:
            raise VerifyException("'accel.load' needs one to four sizes and a stride for each")
        if any(s <= 0 for s in sizes):
            raise VerifyException(f"'accel.load' sizes must be positive, got {list(sizes)}")
        pads = values(self.pad_before) + values(self.pad_after)
        if pads and (len(pads) != 2 * rank or any(p < 0 for p in pads)):
            raise VerifyException("'accel.load' pads one non-negative count per dimension")
        element = self.source.type.element_type  # type: ignore[attr-defined]
        if element != buffer_type(self.buffer).element_type:
            raise VerifyException(
                f"'accel.load' copies {element} into a buffer of "
                f"{buffer_type(self.buffer).element_type}"
            )
        dram_span(self, self.source, self.offset.value.data, sizes, strides)


@irdl_op_definition
class StoreOp(Instruction):
    """Copy a row-major region of the accumulator at `address` into a strided box of a
    DRAM tensor, each int32 narrowed to the tensor's element type (the store unit's DMA).

    accel.store %acc[0] sizes [16, 64] into %C[0] strides [64, 1] : !accel.buffer<accumulator, 8192, i32>, memref<16x64xi8>
    """

    name = "accel.store"
    UNIT: ClassVar[str] = "store"

    buffer = operand_def(BufferType)
    target = operand_def(MemRefType)
    address = prop_def(IntegerAttr[I64])
    sizes = prop_def(DenseArrayBase[I64])
    offset = prop_def(IntegerAttr[I64])
    strides = prop_def(DenseArrayBase[I64])

    assembly_format = (
        "$buffer `[` $address `]` `sizes` $sizes `into` $target `[` $offset `]` "
        "`strides` $strides attr-dict `:` type($buffer) `,` type($target)"
    )

    def __init__(
        self,
        buffer: SSAValue,
        address: int,
        sizes: Sequence[int],
        target: SSAValue,
        offset: int,
        strides: Sequence[int],
    ):
        super().__init__(
            operands=[buffer, target],
            properties={
                "address": IntegerAttr(address, i64),
                "sizes": ints(sizes),
                "offset": IntegerAttr(offset, i64),
                "strides": ints(strides),
            },
        )

    def elements(self) -> int:
        count = 1
        for size in values(self.sizes):
            count *= size
        return count

    def accesses(self, tile: int) -> list[Access]:
        address = self.address.value.data
        sizes, strides = values(self.sizes), values(self.strides)
        low, high = span(self.offset.value.data, list(zip(sizes, strides, strict=True)))
        return [
            Access(self.buffer, address, address + self.elements() - 1, False),
            Access(self.target, low, high, True),
        ]

    def verify_(self) -> None:
        sizes, strides = values(self.sizes), values(self.strides)
        if not 1 <= len(sizes) <= 4 or len(strides) != len(sizes):
            raise VerifyException("'accel.store' needs one to four sizes and a stride for each")
        if any(s <= 0 for s in sizes):
            raise VerifyException(f"'accel.store' sizes must be positive, got {list(sizes)}")
        check_scope(self, self.buffer, ["accumulator"], "stores from")
        element = self.target.type.element_type  # type: ignore[attr-defined]
        if not isinstance(element, IntegerType) or element.width.data not in (8, 32):
            raise VerifyException(f"'accel.store' writes int8 or int32 tensors, not {element}")
        dram_span(self, self.target, self.offset.value.data, sizes, strides)


# Compute ---------------------------------------------------------------------------------------


@irdl_op_definition
class GemmOp(Instruction):
    """The gemm core over a nest of loops: `update` accumulates in each iteration a vector
    of `tile` int8 values times a `tile` x `tile` int8 block into `tile` int32 values of the
    accumulator, `reset` sets them to zero (the intrinsic's update and reset); see the
    module docstring.

    accel.gemm %acc[0 | 1] += %inp[0 | 1] * %wgt[0 | 1, 64] loops [16 x (64, 64, 0)] : ...
    """

    name = "accel.gemm"
    UNIT: ClassVar[str] = "compute"

    accumulator = operand_def(BufferType)
    input = opt_operand_def(BufferType)
    weight = opt_operand_def(BufferType)
    accumulator_view = prop_def(DenseArrayBase[I64])
    input_view = opt_prop_def(DenseArrayBase[I64])
    weight_view = opt_prop_def(DenseArrayBase[I64])
    extents = prop_def(DenseArrayBase[I64])
    steps = prop_def(DenseArrayBase[I64])

    irdl_options = (AttrSizedOperandSegments(as_property=True),)

    def __init__(
        self,
        accumulator: SSAValue,
        accumulator_view: Sequence[int],
        extents: Sequence[int],
        steps: Sequence[int],
        input: SSAValue | None = None,
        input_view: Sequence[int] = (),
        weight: SSAValue | None = None,
        weight_view: Sequence[int] = (),
    ):
        properties: dict[str, Attribute] = {
            "accumulator_view": ints(accumulator_view),
            "extents": ints(extents),
            "steps": ints(steps),
        }
        if input is not None:
            properties["input_view"] = ints(input_view)
            properties["weight_view"] = ints(weight_view)
        super().__init__(
            operands=[accumulator, [input] if input else [], [weight] if weight else []],
            properties=properties,
        )

    @property
    def reset(self) -> bool:
        return self.input is None

    def arity(self) -> int:
        return 1 if self.reset else 3

    def accesses(self, tile: int) -> list[Access]:
        extents, steps, arity = values(self.extents), values(self.steps), self.arity()
        base, lane = values(self.accumulator_view)
        low, high = span(base, [(tile, lane), *loop_terms(extents, steps, 0, arity)])
        found = [Access(self.accumulator, low, high, True)]
        if not self.reset:
            assert self.input is not None and self.weight is not None
            base, k = values(self.input_view)
            low, high = span(base, [(tile, k), *loop_terms(extents, steps, 1, arity)])
            found.append(Access(self.input, low, high, False))
            base, k, j = values(self.weight_view)
            terms = [(tile, k), (tile, j), *loop_terms(extents, steps, 2, arity)]
            low, high = span(base, terms)
            found.append(Access(self.weight, low, high, False))
        return found

    def verify_(self) -> None:
        check_scope(self, self.accumulator, ["accumulator"], "accumulates in")
        if (self.input is None) != (self.weight is None):
            raise VerifyException("'accel.gemm' multiplies an input by a weight, or resets")
        check_loops(self, values(self.extents), values(self.steps), self.arity())
        if len(values(self.accumulator_view)) != 2:
            raise VerifyException("'accel.gemm' views the accumulator as [base | stride]")
        if not self.reset:
            assert self.input is not None and self.weight is not None
            check_scope(self, self.input, ["input"], "reads vectors from")
            check_scope(self, self.weight, ["weight"], "reads blocks from")
            if len(values(self.input_view)) != 2 or len(values(self.weight_view)) != 3:
                raise VerifyException(
                    "'accel.gemm' views the input as [base | k stride] and the weight as "
                    "[base | k stride, j stride]"
                )

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        print_view(printer, self.accumulator, values(self.accumulator_view))
        operands: list[SSAValue] = [self.accumulator]
        if self.reset:
            printer.print_string(" = 0")
        else:
            assert self.input is not None and self.weight is not None
            printer.print_string(" += ")
            print_view(printer, self.input, values(self.input_view))
            printer.print_string(" * ")
            print_view(printer, self.weight, values(self.weight_view))
            operands += [self.input, self.weight]
        print_loops(printer, values(self.extents), values(self.steps))
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_list((v.type for v in operands), printer.print_attribute)

    @classmethod
    def parse(cls, parser: Parser) -> GemmOp:
        accumulator, accumulator_view = parse_view(parser)
        views: list[tuple[SSAValue, list[int]]] = []
        if parser.parse_optional_punctuation("="):
            if parser.parse_integer() != 0:
                parser.raise_error("'accel.gemm' resets to 0")
        else:
            parser.parse_punctuation("+")
            parser.parse_punctuation("=")
            views.append(parse_view(parser))
            parser.parse_punctuation("*")
            views.append(parse_view(parser))
        extents, steps = parse_loops(parser)
        attributes = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        types = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_type)
        unresolved = [accumulator, *(v for v, _ in views)]
        if len(types) != len(unresolved):
            parser.raise_error(f"'accel.gemm' needs {len(unresolved)} operand types")
        resolved = [parser.resolve_operand(v, t) for v, t in zip(unresolved, types, strict=True)]  # type: ignore[arg-type]
        op = GemmOp(
            resolved[0],
            accumulator_view,
            extents,
            steps,
            *([resolved[1], views[0][1], resolved[2], views[1][1]] if views else []),
        )
        op.attributes |= attributes
        return op


@irdl_op_definition
class AluOp(Instruction):
    """The tensor ALU over a nest of loops: `tile` lanes of the accumulator combined with an
    immediate or with other lanes of it, in place: add, max, min, shr (an arithmetic shift
    right; `round` rounds half to even, as Gemmini's rounding shift), clip (to [low, high]).

    accel.alu shr %acc[0 | 1], 8 round loops [64 x (16)] : !accel.buffer<accumulator, 8192, i32>
    accel.alu add %acc[0 | 256], %acc[4096 | 1] loops [4 x (16, 16), 256 x (1, 0)] : !accel.buffer<accumulator, 8192, i32>, !accel.buffer<accumulator, 8192, i32>
    """

    name = "accel.alu"
    UNIT: ClassVar[str] = "compute"

    operation = prop_def(StringAttr, prop_name="op")
    destination = operand_def(BufferType)
    source = opt_operand_def(BufferType)
    destination_view = prop_def(DenseArrayBase[I64])
    source_view = opt_prop_def(DenseArrayBase[I64])
    immediates = prop_def(DenseArrayBase[I64])
    round = opt_prop_def(UnitAttr)
    extents = prop_def(DenseArrayBase[I64])
    steps = prop_def(DenseArrayBase[I64])

    def __init__(
        self,
        operation: str,
        destination: SSAValue,
        destination_view: Sequence[int],
        extents: Sequence[int],
        steps: Sequence[int],
        immediates: Sequence[int] = (),
        source: SSAValue | None = None,
        source_view: Sequence[int] = (),
        round: bool = False,
    ):
        properties: dict[str, Attribute] = {
            "op": StringAttr(operation),
            "destination_view": ints(destination_view),
            "immediates": ints(immediates),
            "extents": ints(extents),
            "steps": ints(steps),
        }
        if source is not None:
            properties["source_view"] = ints(source_view)
        if round:
            properties["round"] = UnitAttr()
        super().__init__(operands=[destination, [source] if source else []], properties=properties)

    def arity(self) -> int:
        return 1 if self.source is None else 2

    def accesses(self, tile: int) -> list[Access]:
        extents, steps, arity = values(self.extents), values(self.steps), self.arity()
        base, lane = values(self.destination_view)
        low, high = span(base, [(tile, lane), *loop_terms(extents, steps, 0, arity)])
        found = [Access(self.destination, low, high, True)]
        if self.source is not None:
            base, lane = values(self.source_view)
            low, high = span(base, [(tile, lane), *loop_terms(extents, steps, 1, arity)])
            found.append(Access(self.source, low, high, False))
        return found

    def verify_(self) -> None:
        operation = self.operation.data
        if operation not in ALU_OPS:
            raise VerifyException(
                f"unknown ALU op '{operation}', expected one of {', '.join(ALU_OPS)}"
            )
        check_scope(self, self.destination, ["accumulator"], "computes in")
        if self.source is not None:
            check_scope(self, self.source, ["accumulator"], "reads")
            if values(self.immediates) or operation == "clip":
                raise VerifyException(f"'accel.alu {operation}' takes an immediate or a source")
        elif len(values(self.immediates)) != ALU_OPS[operation]:
            raise VerifyException(
                f"'accel.alu {operation}' takes {ALU_OPS[operation]} immediate(s)"
            )
        if self.round is not None and operation != "shr":
            raise VerifyException("only 'accel.alu shr' rounds")
        if operation == "shr" and any(not 0 <= v < 32 for v in values(self.immediates)):
            raise VerifyException("'accel.alu shr' shifts by 0 to 31 bits")
        check_loops(self, values(self.extents), values(self.steps), self.arity())

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.operation.data} ")
        print_view(printer, self.destination, values(self.destination_view))
        operands: list[SSAValue] = [self.destination]
        if self.source is not None:
            printer.print_string(", ")
            print_view(printer, self.source, values(self.source_view))
            operands.append(self.source)
        for immediate in values(self.immediates):
            printer.print_string(f", {immediate}")
        if self.round is not None:
            printer.print_string(" round")
        print_loops(printer, values(self.extents), values(self.steps))
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_list((v.type for v in operands), printer.print_attribute)

    @classmethod
    def parse(cls, parser: Parser) -> AluOp:
        operation = parser.parse_identifier("ALU op")
        destination, destination_view = parse_view(parser)
        source = None
        source_view: list[int] = []
        immediates: list[int] = []
        while parser.parse_optional_punctuation(","):
            integer = parser.parse_optional_integer()
            if integer is not None:
                immediates.append(integer)
            else:
                source, source_view = parse_view(parser)
        round = parser.parse_optional_keyword("round") is not None
        extents, steps = parse_loops(parser)
        attributes = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        types = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_type)
        unresolved = [destination] + ([source] if source is not None else [])
        if len(types) != len(unresolved):
            parser.raise_error(f"'accel.alu' needs {len(unresolved)} operand types")
        resolved = [parser.resolve_operand(v, t) for v, t in zip(unresolved, types, strict=True)]  # type: ignore[arg-type]
        op = AluOp(
            operation,
            resolved[0],
            destination_view,
            extents,
            steps,
            immediates,
            resolved[1] if source is not None else None,
            source_view,
            round,
        )
        op.attributes |= attributes
        return op


# Dependency tokens -------------------------------------------------------------------------


def parse_queue(parser: Parser, word: str) -> tuple[str, str]:
    unit = parser.parse_identifier("unit")
    parser.parse_keyword(word)
    return unit, parser.parse_identifier("unit")


class TokenOp(Instruction):
    """Push or pop a token on the queue between two units."""

    unit_attr = prop_def(StringAttr, prop_name="unit")
    peer = prop_def(StringAttr)

    def unit_name(self) -> str:
        return self.unit_attr.data

    def queue(self) -> tuple[str, str]:
        """(the unit that pushes, the unit that pops)."""
        raise NotImplementedError

    def verify_(self) -> None:
        if self.queue() not in QUEUES:
            queues = ", ".join(f"{a}->{b}" for a, b in QUEUES)
            raise VerifyException(
                f"there is no token queue {self.queue()[0]}->{self.queue()[1]}: "
                f"the queues are {queues}"
            )


@irdl_op_definition
class PushOp(TokenOp):
    """The unit pushes a token to its peer when its instructions before this are done.

    accel.push load to compute
    """

    name = "accel.push"

    def __init__(self, unit: str, peer: str):
        super().__init__(properties={"unit": StringAttr(unit), "peer": StringAttr(peer)})

    def queue(self) -> tuple[str, str]:
        return self.unit_attr.data, self.peer.data

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.unit_attr.data} to {self.peer.data}")
        printer.print_op_attributes(self.attributes)

    @classmethod
    def parse(cls, parser: Parser) -> PushOp:
        op = PushOp(*parse_queue(parser, "to"))
        op.attributes |= parser.parse_optional_attr_dict()
        return op


@irdl_op_definition
class PopOp(TokenOp):
    """The unit waits for a token from its peer, and takes it, before going on.

    accel.pop compute from load
    """

    name = "accel.pop"

    def __init__(self, unit: str, peer: str):
        super().__init__(properties={"unit": StringAttr(unit), "peer": StringAttr(peer)})

    def queue(self) -> tuple[str, str]:
        return self.peer.data, self.unit_attr.data

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.unit_attr.data} from {self.peer.data}")
        printer.print_op_attributes(self.attributes)

    @classmethod
    def parse(cls, parser: Parser) -> PopOp:
        op = PopOp(*parse_queue(parser, "from"))
        op.attributes |= parser.parse_optional_attr_dict()
        return op


# The program ---------------------------------------------------------------------------------


@irdl_op_definition
class ProgramOp(IRDLOperation):
    """One instruction stream, in program order, for an accelerator whose gemm core takes
    `tile` x `tile` blocks; its buffers are declared in it.

    accel.program tile 16 { ... }
    """

    name = "accel.program"

    tile = prop_def(IntegerAttr[I64])
    body = region_def("single_block")

    traits = traits_def(NoTerminator())

    assembly_format = "`tile` $tile attr-dict-with-keyword $body"

    def __init__(self, tile: int, ops: Sequence[Operation] = ()):
        super().__init__(
            properties={"tile": IntegerAttr(tile, i64)}, regions=[Region(Block(list(ops)))]
        )

    def instructions(self) -> list[Instruction]:
        return [op for op in self.body.block.ops if isinstance(op, Instruction)]

    def verify_(self) -> None:
        tile = self.tile.value.data
        if tile <= 0:
            raise VerifyException(f"the tile must be positive, got {tile}")
        for op in self.body.block.ops:
            if not isinstance(op, Instruction | BufferOp):
                raise InstructionError(f"'{op.name}' is no instruction of the accelerator", op)
        instructions = self.instructions()
        for op in instructions:
            op.check_regions(tile)
        check_tokens(instructions)


def check_tokens(instructions: Sequence[Instruction]) -> None:
    """Run the units on the tokens alone (every instruction done at once): each pop must
    find a token, pushed by a unit that reaches its push; else an error at the pop."""
    streams = {unit: [op for op in instructions if op.unit_name() == unit] for unit in UNITS}
    position = dict.fromkeys(UNITS, 0)
    tokens = dict.fromkeys(QUEUES, 0)
    pushes = dict.fromkeys(QUEUES, 0)
    for op in instructions:
        if isinstance(op, PushOp):
            pushes[op.queue()] += 1
    moved = True
    while moved:
        moved = False
        for unit in UNITS:
            stream = streams[unit]
            while position[unit] < len(stream):
                op = stream[position[unit]]
                if isinstance(op, PopOp):
                    if tokens[op.queue()] == 0:
                        break
                    tokens[op.queue()] -= 1
                elif isinstance(op, PushOp):
                    tokens[op.queue()] += 1
                position[unit] += 1
                moved = True
    blocked = [u for u in UNITS if position[u] < len(streams[u])]
    if not blocked:
        return
    pop = streams[blocked[0]][position[blocked[0]]]
    assert isinstance(pop, PopOp)
    source, sink = pop.queue()
    popped = sum(
        1
        for op in streams[sink][: position[sink] + 1]
        if isinstance(op, PopOp) and op.queue() == pop.queue()
    )
    if pushes[pop.queue()] < popped:
        raise InstructionError(
            f"this pop is the {ordinal(popped)} on {source}->{sink}, which has "
            f"{pushes[pop.queue()]} push(es): no push can reach it",
            pop,
        )
    waits = ", ".join(
        f"{u} at its instruction {position[u]} ('{streams[u][position[u]].name}')" for u in blocked
    )
    raise InstructionError(
        f"the token program deadlocks: no push on {source}->{sink} can reach this pop "
        f"(every unit waits: {waits})",
        pop,
    )


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


Accel = Dialect(
    "accel",
    [ProgramOp, BufferOp, LoadOp, StoreOp, GemmOp, AluOp, PushOp, PopOp],
    [BufferType],
)
