"""The tensor-expression level: one `te.compute` per operator, TVM's compute in IR form.

A `te.compute` names its output's iteration axes and, for a reduction, its reduce axes with
their extents, its combiner (sum, prod, max or min; umax and umin for unsigned integers) and
its initial value. Its body computes one
element of the output: the block arguments are the axis indices (output axes first, then
reduce axes), `te.read` reads an input tensor at index expressions built with `arith`, and
`te.yield` gives the element (for a reduction, the value folded into the accumulator).
Out-of-bounds reads are never legal: padding is a clamped read chosen by `arith.select`.
A hardware intrinsic is declared with `te.intrinsic`: the te.compute one call computes, and
the functions a schedule's tensorize calls instead of a loop nest that computes it.

    %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 32]
           init 0.000000e+00 : f32 : (tensor<64x32xf32>, tensor<32x16xf32>) -> tensor<64x16xf32> {
    ^bb0(%i: index, %j: index, %k: index):
      %a = te.read %A[%i, %k] : tensor<64x32xf32>
      %b = te.read %B[%k, %j] : tensor<32x16xf32>
      %p = arith.mulf %a, %b : f32
      te.yield %p : f32
    }
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import (
    I64,
    ArrayAttr,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    StringAttr,
    SymbolNameConstraint,
    SymbolRefAttr,
    TensorType,
)
from xdsl.ir import Attribute, Block, Dialect, Operation, Region, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.printer import Printer
from xdsl.traits import (
    HasParent,
    IsolatedFromAbove,
    IsTerminator,
    NoTerminator,
    Pure,
    RecursiveMemoryEffect,
    SymbolOpInterface,
)
from xdsl.utils.exceptions import VerifyException

# Integers are signless here: max and min compare them as signed, umax and umin as unsigned.
REDUCE_KINDS = ("sum", "prod", "max", "min", "umax", "umin")


@irdl_op_definition
class ComputeOp(IRDLOperation):
    """One output tensor, each element computed by the body; see the module docstring.

    %Y = te.compute "relu" (%X) axes ["i"] : (tensor<8xf32>) -> tensor<8xf32> {...}
    """

    name = "te.compute"

    inputs = var_operand_def(TensorType)
    result = result_def(TensorType)
    compute_name = prop_def(StringAttr, prop_name="name")
    axes = prop_def(ArrayAttr[StringAttr])
    reduce_kind = opt_prop_def(StringAttr)
    reduce_axes = opt_prop_def(ArrayAttr[StringAttr])
    reduce_extents = opt_prop_def(ArrayAttr[IntegerAttr])
    init = opt_prop_def(Attribute)
    body = region_def("single_block")

    traits = traits_def(Pure(), RecursiveMemoryEffect())

    def __init__(
        self,
        name: str,
        inputs: Sequence[SSAValue],
        result_type: TensorType,
        axes: Sequence[str],
        body: Region,
        reduce_kind: str | None = None,
        reduce_axes: Sequence[str] = (),
        reduce_extents: Sequence[int] = (),
        init: Attribute | None = None,
    ):
        properties: dict[str, Attribute] = {
            "name": StringAttr(name),
            "axes": ArrayAttr(StringAttr(a) for a in axes),
        }
        if reduce_kind is not None:
            properties["reduce_kind"] = StringAttr(reduce_kind)
            properties["reduce_axes"] = ArrayAttr(StringAttr(a) for a in reduce_axes)
            properties["reduce_extents"] = ArrayAttr(IntegerAttr(e, 64) for e in reduce_extents)
        if init is not None:
            properties["init"] = init
        super().__init__(
            operands=[inputs],
            result_types=[result_type],
            properties=properties,
            regions=[body],
        )

    @staticmethod
    def build(
        name: str,
        inputs: Sequence[SSAValue],
        result_type: TensorType,
        axes: Sequence[str],
        reduce_kind: str | None = None,
        reduce_axes: Sequence[str] = (),
        reduce_extents: Sequence[int] = (),
        init: Attribute | None = None,
    ) -> tuple[ComputeOp, Block]:
        """A compute with an empty body block whose arguments are named after the axes."""
        names = [*axes, *reduce_axes]
        block = Block(arg_types=[IndexType()] * len(names))
        for arg, axis in zip(block.args, names, strict=True):
            arg.name_hint = axis
        op = ComputeOp(
            name,
            inputs,
            result_type,
            axes,
            Region(block),
            reduce_kind,
            reduce_axes,
            reduce_extents,
            init,
        )
        return op, block

    # Accessors -----------------------------------------------------------------------

    @property
    def axis_names(self) -> list[str]:
        return [a.data for a in self.axes.data]

    @property
    def reduce_axis_names(self) -> list[str]:
        return [a.data for a in self.reduce_axes.data] if self.reduce_axes else []

    @property
    def reduce_extent_values(self) -> list[int]:
        return [e.value.data for e in self.reduce_extents.data] if self.reduce_extents else []

    @property
    def block(self) -> Block:
        return self.body.block

    @property
    def yield_op(self) -> YieldOp:
        terminator = self.body.block.last_op
        assert isinstance(terminator, YieldOp)
        return terminator

    # Verification --------------------------------------------------------------------

    def verify_(self) -> None:
        result_type = self.result.type
        assert isinstance(result_type, TensorType)
        shape = result_type.get_shape()
        if any(d < 0 for d in shape):
            raise VerifyException(f"te.compute needs a static output shape, got {result_type}")
        axes = self.axis_names
        reduce_axes = self.reduce_axis_names
        if len(axes) != len(shape):
            raise VerifyException(
                f"te.compute has {len(axes)} axes but its output has rank {len(shape)}"
            )
        names = axes + reduce_axes
        if len(set(names)) != len(names):
            raise VerifyException(f"te.compute axis names must be unique, got {names}")
        self._verify_reduction(result_type)
        block = self.body.block
        if len(block.args) != len(names) or any(
            not isinstance(a.type, IndexType) for a in block.args
        ):
            raise VerifyException(
                f"te.compute body must take {len(names)} index arguments, one per axis "
                f"({', '.join(names)})"
            )
        terminator = block.last_op
        if not isinstance(terminator, YieldOp):
            raise VerifyException("te.compute body must end with te.yield")
        if terminator.value.type != result_type.element_type:
            raise VerifyException(
                f"te.yield gives {terminator.value.type} but the output element type is "
                f"{result_type.element_type}"
            )

    def _verify_reduction(self, result_type: TensorType) -> None:
        kind = self.reduce_kind
        if kind is None:
            if self.reduce_axes or self.reduce_extents or self.init:
                raise VerifyException("reduce axes and init need a reduce kind")
            return
        if kind.data not in REDUCE_KINDS:
            raise VerifyException(
                f"unknown reduce kind '{kind.data}', expected one of {', '.join(REDUCE_KINDS)}"
            )
        if kind.data in ("umax", "umin") and not isinstance(result_type.element_type, IntegerType):
            raise VerifyException(f"reduce kind '{kind.data}' combines integers only")
        extents = self.reduce_extent_values
        if not self.reduce_axes or len(extents) != len(self.reduce_axis_names):
            raise VerifyException("a reduction needs one extent per reduce axis")
        if any(e <= 0 for e in extents):
            raise VerifyException(f"reduce extents must be positive, got {extents}")
        init = self.init
        if init is None:
            raise VerifyException("a reduction needs an init value")
        if not isinstance(init, FloatAttr | IntegerAttr) or init.type != result_type.element_type:
            raise VerifyException(f"init must be a {result_type.element_type} constant, got {init}")

    # Custom syntax -------------------------------------------------------------------

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_string_literal(self.compute_name.data)
        printer.print_string(" (")
        printer.print_list(self.inputs, printer.print_ssa_value)
        printer.print_string(") axes [")
        printer.print_list(self.axis_names, printer.print_string_literal)
        printer.print_string("]")
        if self.reduce_kind is not None:
            printer.print_string(f" reduce {self.reduce_kind.data} [")
            pairs = zip(self.reduce_axis_names, self.reduce_extent_values, strict=True)
            printer.print_list(pairs, lambda p: printer.print_string(f'"{p[0]}" = {p[1]}'))
            printer.print_string("]")
        if self.init is not None:
            printer.print_string(" init ")
            printer.print_attribute(self.init)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : (")
        printer.print_list((v.type for v in self.inputs), printer.print_attribute)
        printer.print_string(") -> ")
        printer.print_attribute(self.result.type)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=True)

    @classmethod
    def parse(cls, parser: Parser) -> ComputeOp:
        name = parser.parse_str_literal(" for the te.compute name")
        operands: list[UnresolvedOperand] = parser.parse_comma_separated_list(
            parser.Delimiter.PAREN, parser.parse_unresolved_operand
        )
        parser.parse_keyword("axes")
        axes = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_str_literal)
        reduce_kind = None
        reduce_axes: list[str] = []
        reduce_extents: list[int] = []
        init: Attribute | None = None
        if parser.parse_optional_keyword("reduce"):
            reduce_kind = parser.parse_identifier("reduce kind")

            def reduce_axis() -> tuple[str, int]:
                axis = parser.parse_str_literal(" for the reduce axis name")
                parser.parse_punctuation("=")
                return axis, parser.parse_integer(allow_boolean=False)

            for axis, extent in parser.parse_comma_separated_list(
                parser.Delimiter.SQUARE, reduce_axis
            ):
                reduce_axes.append(axis)
                reduce_extents.append(extent)
        if parser.parse_optional_keyword("init"):
            init = parser.parse_attribute()
        attributes = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        input_types = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_type)
        parser.parse_punctuation("->")
        result_type = parser.parse_type()
        inputs = parser.resolve_operands(operands, input_types, parser.pos)
        body = parser.parse_region()
        if not isinstance(result_type, TensorType):
            parser.raise_error(f"te.compute must produce a tensor, got {result_type}")
        op = ComputeOp(
            name,
            inputs,
            result_type,
            axes,
            body,
            reduce_kind,
            reduce_axes,
            reduce_extents,
            init,
        )
        op.attributes |= attributes
        return op


@irdl_op_definition
class ReadOp(IRDLOperation):
    """One element of an input of the enclosing te.compute, at the given indices.

    %a = te.read %A[%i, %k] : tensor<64x32xf32>
    """

    name = "te.read"

    tensor = operand_def(TensorType)
    indices = var_operand_def(IndexType)
    result = result_def()

    traits = traits_def(Pure())

    def __init__(self, tensor: SSAValue, indices: Sequence[SSAValue]):
        assert isinstance(tensor.type, TensorType)
        super().__init__(operands=[tensor, indices], result_types=[tensor.type.element_type])

    def verify_(self) -> None:
        tensor_type = self.tensor.type
        assert isinstance(tensor_type, TensorType)
        if self.result.type != tensor_type.element_type:
            raise VerifyException(
                f"te.read of {tensor_type} gives {tensor_type.element_type}, not {self.result.type}"
            )
        if len(self.indices) != tensor_type.get_num_dims():
            raise VerifyException(
                f"te.read of a rank-{tensor_type.get_num_dims()} tensor needs "
                f"{tensor_type.get_num_dims()} indices, got {len(self.indices)}"
            )
        compute = self.parent_op()
        while compute is not None and not isinstance(compute, ComputeOp):
            compute = compute.parent_op()
        if compute is None:
            raise VerifyException("te.read must be inside a te.compute")
        if self.tensor not in compute.inputs:
            raise VerifyException("te.read must read an input of its enclosing te.compute")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_ssa_value(self.tensor)
        printer.print_string("[")
        printer.print_list(self.indices, printer.print_ssa_value)
        printer.print_string("]")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.tensor.type)

    @classmethod
    def parse(cls, parser: Parser) -> ReadOp:
        tensor = parser.parse_unresolved_operand()
        indices = parser.parse_comma_separated_list(
            parser.Delimiter.SQUARE, parser.parse_unresolved_operand
        )
        attributes = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        tensor_type = parser.parse_type()
        if not isinstance(tensor_type, TensorType):
            parser.raise_error(f"te.read reads a tensor, got {tensor_type}")
        op = ReadOp(
            parser.resolve_operand(tensor, tensor_type),
            [parser.resolve_operand(i, IndexType()) for i in indices],
        )
        op.attributes |= attributes
        return op


@irdl_op_definition
class YieldOp(IRDLOperation):
    """The element computed by a te.compute body (for a reduction, the value to combine).

    te.yield %p : f32
    """

    name = "te.yield"

    value = operand_def()

    traits = traits_def(IsTerminator(), HasParent(ComputeOp), Pure())

    assembly_format = "$value attr-dict `:` type($value)"

    def __init__(self, value: SSAValue):
        super().__init__(operands=[value])


@irdl_op_definition
class IntrinsicOp(IRDLOperation):
    """A hardware intrinsic: the te.compute one call computes over its tensor arguments,
    and the functions doing it on buffer views (inputs, then output): `compute` the whole
    result, for a reduction `reset` the output to the init value and `update` accumulate
    into it.

    te.intrinsic @dot4 compute @dot4 reset @dot4_reset update @dot4_update {
    ^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
      %c = te.compute "dot4" (%a, %b) axes [] reduce sum ["k" = 4] ... {...}
    }
    """

    name = "te.intrinsic"

    sym_name = prop_def(SymbolNameConstraint())
    compute = prop_def(SymbolRefAttr)
    reset = opt_prop_def(SymbolRefAttr)
    update = opt_prop_def(SymbolRefAttr)
    body = region_def("single_block")

    traits = traits_def(SymbolOpInterface(), IsolatedFromAbove(), NoTerminator())

    @property
    def pattern(self) -> ComputeOp:
        op = self.body.block.first_op
        assert isinstance(op, ComputeOp)
        return op

    def verify_(self) -> None:
        name = self.sym_name.data
        ops = list(self.body.block.ops)
        if len(ops) != 1 or not isinstance(ops[0], ComputeOp):
            raise VerifyException(f"intrinsic @{name} must hold exactly one te.compute")
        arguments = self.body.block.args
        if any(
            not isinstance(a.type, TensorType) or not a.type.has_static_shape() for a in arguments
        ):
            raise VerifyException(f"the arguments of intrinsic @{name} must be static tensors")
        if any(v not in arguments for v in ops[0].inputs):
            raise VerifyException(f"the te.compute of intrinsic @{name} must read its arguments")
        if ops[0].reduce_kind is not None and (self.reset is None or self.update is None):
            raise VerifyException(f"intrinsic @{name} is a reduction: it needs reset and update")
        if ops[0].reduce_kind is None and (self.reset is not None or self.update is not None):
            raise VerifyException(f"intrinsic @{name} is no reduction: it has no reset or update")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_symbol_name(self.sym_name.data)
        for keyword in ("compute", "reset", "update"):
            symbol = getattr(self, keyword)
            if symbol is not None:
                printer.print_string(f" {keyword} ")
                printer.print_attribute(symbol)
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=True)

    @classmethod
    def parse(cls, parser: Parser) -> IntrinsicOp:
        name = parser.parse_symbol_name()
        properties: dict[str, Attribute] = {"sym_name": name}
        for keyword in ("compute", "reset", "update"):
            if parser.parse_optional_keyword(keyword):
                properties[keyword] = SymbolRefAttr(parser.parse_symbol_name())
        attributes = parser.parse_optional_attr_dict_with_keyword()
        op = cls.create(properties=properties, regions=[parser.parse_region()])
        if attributes is not None:
            op.attributes |= attributes.data
        return op


@irdl_op_definition
class LoopOp(IRDLOperation):
    """A sequential loop over tensors, `trip_count` iterations of the body on the iteration
    index and the carried values (first the operands, then what the body yielded last);
    the results are the carried values after the last iteration, then each further yielded
    value stacked over the iterations along a new first dimension (graph.loop's semantics,
    and a recurrent network's time loop).

    %h, %ys = te.loop 5 (%h0) : (tensor<3xf32>) -> (tensor<3xf32>, tensor<5x3xf32>) {
    ^bb0(%t: index, %h: tensor<3xf32>):
      %h1 = te.compute "step" (%h) axes ["i"] : (tensor<3xf32>) -> tensor<3xf32> {...}
      te.loop_yield %h1, %h1 : tensor<3xf32>, tensor<3xf32>
    }
    """

    name = "te.loop"

    inits = var_operand_def(TensorType)
    outputs = var_result_def(TensorType)
    trip_count = prop_def(IntegerAttr[I64])
    body = region_def("single_block")

    traits = traits_def(RecursiveMemoryEffect())

    def __init__(
        self,
        trip_count: int,
        inits: Sequence[SSAValue],
        result_types: Sequence[Attribute],
        body: Region,
    ):
        super().__init__(
            operands=[inits],
            result_types=[result_types],
            properties={"trip_count": IntegerAttr(trip_count, 64)},
            regions=[body],
        )

    @property
    def yield_op(self) -> LoopYieldOp:
        terminator = self.body.block.last_op
        assert isinstance(terminator, LoopYieldOp)
        return terminator

    def verify_(self) -> None:
        trip_count = self.trip_count.value.data
        if trip_count < 1:
            raise VerifyException(f"te.loop runs at least once, not {trip_count} times")
        carried = list(self.inits.types)
        arguments = [a.type for a in self.body.block.args]
        if arguments != [IndexType(), *carried]:
            raise VerifyException(
                "the body of te.loop takes the iteration index and the carried values"
            )
        terminator = self.body.block.last_op
        if not isinstance(terminator, LoopYieldOp):
            raise VerifyException("the body of te.loop must end with te.loop_yield")
        yielded = list(terminator.values.types)
        stacked = [
            TensorType(t.element_type, (trip_count, *t.get_shape()))  # type: ignore[attr-defined]
            for t in yielded[len(carried) :]
        ]
        if yielded[: len(carried)] != carried or list(self.outputs.types) != carried + stacked:
            raise VerifyException(
                "te.loop yields its carried values first, and gives them and the other "
                "yielded values stacked"
            )

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.trip_count.value.data} (")
        printer.print_list(self.inits, printer.print_operand)
        printer.print_string(")")
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" : (")
        printer.print_list(self.inits.types, printer.print_attribute)
        printer.print_string(") -> (")
        printer.print_list(self.outputs.types, printer.print_attribute)
        printer.print_string(") ")
        printer.print_region(self.body, print_entry_block_args=True)

    @classmethod
    def parse(cls, parser: Parser) -> LoopOp:
        trip_count = parser.parse_integer(allow_boolean=False)
        inits = parser.parse_comma_separated_list(
            parser.Delimiter.PAREN, parser.parse_unresolved_operand
        )
        attributes = parser.parse_optional_attr_dict_with_keyword()
        parser.parse_punctuation(":")
        init_types = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_type)
        parser.parse_punctuation("->")
        result_types = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_type)
        operands = parser.resolve_operands(inits, init_types, parser.pos)
        op = LoopOp(trip_count, operands, result_types, parser.parse_region())
        if attributes is not None:
            op.attributes |= attributes.data
        return op


@irdl_op_definition
class LoopYieldOp(IRDLOperation):
    """What one te.loop iteration gives: the next carried values, then the values to stack.

    te.loop_yield %h1, %y : tensor<3xf32>, tensor<3xf32>
    """

    name = "te.loop_yield"

    values = var_operand_def(TensorType)

    traits = traits_def(IsTerminator(), HasParent(LoopOp), Pure())

    assembly_format = "attr-dict ($values^ `:` type($values))?"

    def __init__(self, *values: SSAValue):
        super().__init__(operands=[values])


def compute_ops(op: Operation) -> list[ComputeOp]:
    """Every te.compute nested in `op`, in program order."""
    return [o for o in op.walk() if isinstance(o, ComputeOp)]


TE = Dialect("te", [ComputeOp, ReadOp, YieldOp, IntrinsicOp, LoopOp, LoopYieldOp], [])
