"""Schedules as IR: the `transform` dialect with TVM's schedule primitives and tunable knobs.

A schedule is a `transform.named_sequence` that acts on loop-level payload IR (what
`te-to-loop` emits: the outermost `scf.for` of each `te.compute` is tagged
`te.compute = "name"`, every loop `loop.axis = "axis"`). Handles are SSA values of
`!transform.any_op` type standing for payload ops; `transform.structured.match` finds them.
The `transform.schedule.*` ops split, tile, reorder and fuse loops, move computations
(`compute_at`, `compute_inline`, `cache_read`, `cache_write`), annotate loops (`vectorize`,
`unroll`, `parallel`, `bind`) and replace loop nests by hardware intrinsics (`tensorize`).
Tunable choices are spelled as upstream MLIR's tune extension: `transform.tune.knob` (one
value out of a list) and `transform.tune.alternatives` (one region out of several). A knob
with a value is fixed, one without is open; a schedule whose knobs are all fixed is a
concrete schedule, otherwise it is a search space (see `knobs` and `fix_knobs`). The
`apply-schedule` pass interprets schedules.

    transform.named_sequence @__transform_main(%root: !transform.any_op) {
      %mm = transform.structured.match attributes {te.compute = "matmul"} in %root
              : (!transform.any_op) -> !transform.any_op
      %i, %j, %k = transform.schedule.get_loops %mm
              : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
      %t = transform.tune.knob<"tile_i"> = 32 from options = [8, 16, 32, 64]
              -> !transform.param<i64>
      %io, %ii = transform.schedule.split %i by %t
              : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
      transform.schedule.reorder %io, %k, %ii, %j
              : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
      transform.schedule.vectorize %j width 8 : !transform.any_op
      transform.schedule.parallel %io : !transform.any_op
      transform.yield
    }
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

from xdsl.dialects import transform
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    I64,
    ArrayAttr,
    DenseArrayBase,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    SymbolRefAttr,
    i64,
)
from xdsl.dialects.transform import (
    ParamType,
    TransformHandleType,
    TransformOpHandleType,
    TransformParamHandleType,
)
from xdsl.dialects.utils import (
    parse_dynamic_index_list_without_types,
    print_dynamic_index_list,
)
from xdsl.ir import Attribute, Dialect, Operation, Region, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    var_operand_def,
    var_region_def,
    var_result_def,
)
from xdsl.irdl.declarative_assembly_format import (
    AttributeVariable,
    CustomDirective,
    OptionalOperandVariable,
    ParsingState,
    PrintingState,
    irdl_custom_directive,
)
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.loop import GPU_AXES, SCOPES

COMPUTE = "te.compute"
"""The attribute naming the te.compute a loop nest computes, on its outermost loop."""
AXIS = "loop.axis"
"""The attribute naming the axis a loop iterates over."""

KnobValue: TypeAlias = int | float | str | bool


# Shared syntax ---------------------------------------------------------------------------


@irdl_custom_directive
class IntegerOrParam(CustomDirective):
    """A positive integer written in place, or a param handle: `4` or `%factor`."""

    dynamic: OptionalOperandVariable
    static: AttributeVariable

    def parse(self, parser: Parser, state: ParsingState) -> None:
        operand = parser.parse_optional_unresolved_operand()
        if operand is not None:
            self.dynamic.set(state, operand)
            return
        self.dynamic.set(state, None)
        self.static.set(state, IntegerAttr(parser.parse_integer(allow_boolean=False), i64))

    def print(self, printer: Printer, state: PrintingState, op: IRDLOperation) -> None:
        state.print_whitespace(printer)
        operand = self.dynamic.get(op)
        if operand is not None:
            printer.print_ssa_value(operand)
            return
        static = self.static.get(op)
        assert isinstance(static, IntegerAttr)
        printer.print_string(str(static.value.data))


def verify_integer_or_param(
    op: Operation, what: str, static: IntegerAttr | None, dynamic: SSAValue | None
) -> None:
    if (static is None) == (dynamic is None):
        raise VerifyException(f"'{op.name}' needs its {what} as an integer or as a param")
    if static is not None and static.value.data < 1:
        raise VerifyException(f"{what} must be positive, got {static.value.data}")


def static_value(attr: IntegerAttr | None) -> int | None:
    return None if attr is None else attr.value.data


# Tunable choices: upstream MLIR's tune extension --------------------------------------


def print_knob_value(printer: Printer, value: Attribute) -> None:
    """Knob values as MLIR writes them: integers without their (default) i64 type."""
    if isinstance(value, IntegerAttr) and value.type == i64:
        printer.print_string(str(value.value.data))
    else:
        printer.print_attribute(value)


@irdl_op_definition
class KnobOp(IRDLOperation):
    """One value out of `options`: fixed when the value is given, open (a choice for the
    tuner) otherwise.

    %t = transform.tune.knob<"tile_i"> = 32 from options = [8, 16, 32, 64] -> !transform.param<i64>
    """

    name = "transform.tune.knob"

    knob_name = prop_def(StringAttr, prop_name="name")
    options = prop_def(ArrayAttr)
    selected = opt_prop_def(Attribute)
    result = result_def(TransformParamHandleType)

    def __init__(
        self,
        name: str,
        options: Sequence[Attribute],
        selected: Attribute | None = None,
        result_type: Attribute | None = None,
    ):
        super().__init__(
            properties={
                "name": StringAttr(name),
                "options": ArrayAttr(options),
                "selected": selected,
            },
            result_types=[result_type or ParamType(i64)],
        )

    def verify_(self) -> None:
        options = self.options.data
        if not options:
            raise VerifyException(f"knob '{self.knob_name.data}' needs at least one option")
        if len(set(options)) != len(options):
            raise VerifyException(f"knob '{self.knob_name.data}' lists an option twice")
        if self.selected is not None and self.selected not in options:
            raise VerifyException(
                f"knob '{self.knob_name.data}' is fixed to {knob_value(self.selected)!r}, "
                f"which is not one of its options {[knob_value(o) for o in options]}"
            )
        result_type = self.result.type
        if isinstance(result_type, ParamType) and isinstance(result_type.type, IntegerType):
            for option in options:
                if not isinstance(option, IntegerAttr) or option.type != result_type.type:
                    raise VerifyException(
                        f"knob '{self.knob_name.data}' gives {result_type}, but option "
                        f"{option} is not an {result_type.type} integer"
                    )

    def print(self, printer: Printer) -> None:
        printer.print_string("<")
        printer.print_string_literal(self.knob_name.data)
        printer.print_string(">")
        if self.selected is not None:
            printer.print_string(" = ")
            print_knob_value(printer, self.selected)
            printer.print_string(" from")
        printer.print_string(" options = [")
        printer.print_list(self.options.data, lambda o: print_knob_value(printer, o))
        printer.print_string("]")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" -> ")
        printer.print_attribute(self.result.type)

    @classmethod
    def parse(cls, parser: Parser) -> KnobOp:
        parser.parse_punctuation("<")
        name = parser.parse_str_literal(" for the knob name")
        parser.parse_punctuation(">")
        selected = None
        if parser.parse_optional_punctuation("="):
            selected = parser.parse_attribute()
            parser.parse_keyword("from")
        parser.parse_keyword("options")
        parser.parse_punctuation("=")
        options = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_attribute)
        attributes = parser.parse_optional_attr_dict()
        parser.parse_punctuation("->")
        op = KnobOp(name, options, selected, parser.parse_type())
        op.attributes |= attributes
        return op


@irdl_op_definition
class AlternativesOp(IRDLOperation):
    """One of several sub-schedules (regions): the selected one runs and its yielded
    handles are the results; without a selection the choice is open.

    %r = transform.tune.alternatives<"order"> selected_region = 1 -> !transform.any_op {...}, {...}
    """

    name = "transform.tune.alternatives"

    alternatives_name = prop_def(StringAttr, prop_name="name")
    selected_region_attr = opt_prop_def(IntegerAttr[I64])
    selected_region_param = opt_operand_def(TransformParamHandleType)
    results_ = var_result_def(TransformHandleType)
    alternatives = var_region_def("single_block")

    def __init__(
        self,
        name: str,
        alternatives: Sequence[Region],
        result_types: Sequence[Attribute] = (),
        selected: int | SSAValue | None = None,
    ):
        super().__init__(
            operands=[[selected] if isinstance(selected, SSAValue) else []],
            properties={
                "name": StringAttr(name),
                "selected_region_attr": IntegerAttr(selected, i64)
                if isinstance(selected, int)
                else None,
            },
            result_types=[result_types],
            regions=[alternatives],
        )

    def verify_(self) -> None:
        count = len(self.alternatives)
        name = self.alternatives_name.data
        if count == 0:
            raise VerifyException(f"alternatives '{name}' needs at least one region")
        if self.selected_region_attr is not None and self.selected_region_param is not None:
            raise VerifyException(f"alternatives '{name}' is selected twice")
        selected = static_value(self.selected_region_attr)
        if selected is not None and not 0 <= selected < count:
            raise VerifyException(
                f"alternatives '{name}' selects region {selected}, but it has {count}"
            )
        result_types = list(self.results_.types)
        for index, region in enumerate(self.alternatives):
            terminator = region.block.last_op
            if not isinstance(terminator, transform.YieldOp):
                raise VerifyException(
                    f"region {index} of alternatives '{name}' must end with transform.yield"
                )
            if list(terminator.arguments.types) != result_types:
                raise VerifyException(
                    f"region {index} of alternatives '{name}' yields "
                    f"({', '.join(map(str, terminator.arguments.types))}), but the op "
                    f"gives ({', '.join(map(str, result_types))})"
                )

    def print(self, printer: Printer) -> None:
        printer.print_string("<")
        printer.print_string_literal(self.alternatives_name.data)
        printer.print_string(">")
        if self.selected_region_attr is not None:
            printer.print_string(f" selected_region = {self.selected_region_attr.value.data}")
        elif self.selected_region_param is not None:
            printer.print_string(" selected_region = ")
            printer.print_ssa_value(self.selected_region_param)
        printer.print_op_attributes(self.attributes, print_keyword=True)
        if self.selected_region_param is not None:
            printer.print_string(" : ")
            printer.print_attribute(self.selected_region_param.type)
        if self.results_:
            printer.print_string(" -> ")
            printer.print_list(self.results_.types, printer.print_attribute)
        printer.print_string(" ")
        printer.print_list(self.alternatives, printer.print_region)

    @classmethod
    def parse(cls, parser: Parser) -> AlternativesOp:
        parser.parse_punctuation("<")
        name = parser.parse_str_literal(" for the alternatives name")
        parser.parse_punctuation(">")
        selected: int | UnresolvedOperand | None = None
        if parser.parse_optional_keyword("selected_region"):
            parser.parse_punctuation("=")
            selected = parser.parse_optional_unresolved_operand()
            if selected is None:
                selected = parser.parse_integer(allow_boolean=False)
        attributes = parser.parse_optional_attr_dict_with_keyword()
        selected_value: int | SSAValue | None = selected if isinstance(selected, int) else None
        if isinstance(selected, UnresolvedOperand):
            parser.parse_punctuation(":")
            selected_value = parser.resolve_operand(selected, parser.parse_type())
        result_types: list[Attribute] = []
        if parser.parse_optional_punctuation("->"):
            result_types = [parser.parse_type()]
            while parser.parse_optional_punctuation(","):
                result_types.append(parser.parse_type())
        regions = [parser.parse_region()]
        while parser.parse_optional_punctuation(","):
            regions.append(parser.parse_region())
        op = AlternativesOp(name, regions, result_types, selected_value)
        if attributes is not None:
            op.attributes |= attributes.data
        return op


# Finding loops --------------------------------------------------------------------------


@irdl_op_definition
class GetLoopsOp(IRDLOperation):
    """The loops of a matched te.compute's nest, outermost first, one handle each.

    %i, %j = transform.schedule.get_loops %c : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    """

    name = "transform.schedule.get_loops"

    target = operand_def(TransformOpHandleType)
    loops = var_result_def(TransformOpHandleType)

    assembly_format = "$target attr-dict `:` functional-type(operands, results)"

    def __init__(self, target: SSAValue, count: int):
        super().__init__(operands=[target], result_types=[[transform.AnyOpType()] * count])

    def verify_(self) -> None:
        if not self.loops:
            raise VerifyException("get_loops needs at least one result")


# Restructuring loops --------------------------------------------------------------------


@irdl_op_definition
class SplitOp(IRDLOperation):
    """Split a loop by a factor into an outer and an inner loop; a factor that does not
    divide the trip count leaves a guarded tail.

    %o, %i = transform.schedule.split %loop by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    """

    name = "transform.schedule.split"

    loop = operand_def(TransformOpHandleType)
    factor = opt_operand_def(TransformParamHandleType)
    static_factor = opt_prop_def(IntegerAttr[I64])
    outer = result_def(TransformOpHandleType)
    inner = result_def(TransformOpHandleType)

    custom_directives = (IntegerOrParam,)
    assembly_format = (
        "$loop `by` custom<IntegerOrParam>($factor, $static_factor) attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(self, loop: SSAValue, factor: int | SSAValue):
        super().__init__(
            operands=[loop, [factor] if isinstance(factor, SSAValue) else []],
            properties={
                "static_factor": IntegerAttr(factor, i64) if isinstance(factor, int) else None
            },
            result_types=[transform.AnyOpType(), transform.AnyOpType()],
        )

    def verify_(self) -> None:
        verify_integer_or_param(self, "split factor", self.static_factor, self.factor)


@irdl_op_definition
class TileOp(IRDLOperation):
    """Split each of several nested loops by its factor and order the outer loops before
    the inner ones: all outer loops, then all inner loops.

    %io, %jo, %ii, %ji = transform.schedule.tile %i, %j by [8, %t] : (...) -> (...)
    """

    name = "transform.schedule.tile"

    loops = var_operand_def(TransformOpHandleType)
    factors = var_operand_def(TransformParamHandleType)
    static_factors = prop_def(DenseArrayBase.constr(i64))
    tiled = var_result_def(TransformOpHandleType)

    irdl_options = (AttrSizedOperandSegments(as_property=True),)

    def __init__(
        self,
        loops: Sequence[SSAValue],
        factors: Sequence[int | SSAValue],
        result_types: Sequence[Attribute] | None = None,
    ):
        if result_types is None:
            result_types = [transform.AnyOpType()] * (2 * len(loops))
        super().__init__(
            operands=[loops, [f for f in factors if isinstance(f, SSAValue)]],
            properties={
                "static_factors": DenseArrayBase.from_list(
                    i64, [f if isinstance(f, int) else DYNAMIC_INDEX for f in factors]
                )
            },
            result_types=[result_types],
        )

    def verify_(self) -> None:
        static = self.static_factors.get_values()
        if not self.loops:
            raise VerifyException("tile needs at least one loop")
        if len(static) != len(self.loops):
            raise VerifyException(f"tile has {len(self.loops)} loops but {len(static)} factors")
        if static.count(DYNAMIC_INDEX) != len(self.factors):
            raise VerifyException("tile needs one param operand per dynamic factor")
        if any(f < 1 and f != DYNAMIC_INDEX for f in static):
            raise VerifyException(f"tile factors must be positive, got {list(static)}")
        if len(self.tiled) != 2 * len(self.loops):
            raise VerifyException(
                f"tile of {len(self.loops)} loops gives {2 * len(self.loops)} handles, "
                f"not {len(self.tiled)}"
            )

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_list(self.loops, printer.print_ssa_value)
        printer.print_string(" by ")
        print_dynamic_index_list(
            printer, DYNAMIC_INDEX, self.factors, self.static_factors.get_values()
        )
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_function_type(self.operand_types, self.result_types)

    @classmethod
    def parse(cls, parser: Parser) -> TileOp:
        loops = parser.parse_comma_separated_list(
            parser.Delimiter.NONE, parser.parse_unresolved_operand
        )
        parser.parse_keyword("by")
        dynamic, static = parse_dynamic_index_list_without_types(parser, DYNAMIC_INDEX)
        attributes = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        function_type = parser.parse_function_type()
        operands = parser.resolve_operands([*loops, *dynamic], function_type.inputs, parser.pos)
        factors = iter(operands[len(loops) :])
        op = TileOp(
            operands[: len(loops)],
            [next(factors) if f == DYNAMIC_INDEX else f for f in static],
            function_type.outputs.data,
        )
        op.attributes |= attributes
        return op

    def factor_list(self) -> list[int | SSAValue]:
        """The factors in order, each an integer or a param handle."""
        dynamic = iter(self.factors)
        return [
            next(dynamic) if f == DYNAMIC_INDEX else f for f in self.static_factors.get_values()
        ]


@irdl_op_definition
class ReorderOp(IRDLOperation):
    """Put nested loops in the given order (outermost first), where the dependences of
    the nest allow it; the loops between them stay where they are.

    transform.schedule.reorder %k, %i : !transform.any_op, !transform.any_op
    """

    name = "transform.schedule.reorder"

    loops = var_operand_def(TransformOpHandleType)

    assembly_format = "$loops attr-dict `:` type($loops)"

    def __init__(self, loops: Sequence[SSAValue]):
        super().__init__(operands=[loops])

    def verify_(self) -> None:
        if len(self.loops) < 2:
            raise VerifyException("reorder needs at least two loops")
        if len(set(self.loops)) != len(self.loops):
            raise VerifyException("reorder names a loop twice")


@irdl_op_definition
class FuseOp(IRDLOperation):
    """Fuse a loop and the loop directly nested in it into one loop over both.

    %ij = transform.schedule.fuse %i, %j : (!transform.any_op, !transform.any_op) -> !transform.any_op
    """

    name = "transform.schedule.fuse"

    outer = operand_def(TransformOpHandleType)
    inner = operand_def(TransformOpHandleType)
    fused = result_def(TransformOpHandleType)

    assembly_format = "$outer `,` $inner attr-dict `:` functional-type(operands, results)"

    def __init__(self, outer: SSAValue, inner: SSAValue):
        super().__init__(operands=[outer, inner], result_types=[transform.AnyOpType()])


# Moving computations --------------------------------------------------------------------


@irdl_op_definition
class ComputeAtOp(IRDLOperation):
    """Compute a producer inside a loop of its consumer, only the part that one iteration
    of the loop reads; gives the producer's new nest.

    %p = transform.schedule.compute_at %producer at %j : (!transform.any_op, !transform.any_op) -> !transform.any_op
    """

    name = "transform.schedule.compute_at"

    producer = operand_def(TransformOpHandleType)
    loop = operand_def(TransformOpHandleType)
    result = result_def(TransformOpHandleType)

    assembly_format = "$producer `at` $loop attr-dict `:` functional-type(operands, results)"

    def __init__(self, producer: SSAValue, loop: SSAValue):
        super().__init__(operands=[producer, loop], result_types=[transform.AnyOpType()])


@irdl_op_definition
class ComputeInlineOp(IRDLOperation):
    """Compute an elementwise producer where each element is read, dropping its buffer.

    transform.schedule.compute_inline %producer : !transform.any_op
    """

    name = "transform.schedule.compute_inline"

    producer = operand_def(TransformOpHandleType)

    assembly_format = "$producer attr-dict `:` type($producer)"

    def __init__(self, producer: SSAValue):
        super().__init__(operands=[producer])


def verify_scope(scope: StringAttr) -> None:
    if scope.data not in SCOPES:
        raise VerifyException(
            f"unknown memory scope '{scope.data}', expected one of {', '.join(SCOPES)}"
        )


@irdl_op_definition
class CacheReadOp(IRDLOperation):
    """Copy the tile of an input that one iteration of a loop reads into a buffer of the
    given memory scope, allocated in that loop, and read it from there; gives the copy's
    loop nest. Inputs are numbered in the order the nest first reads them.

    %c = transform.schedule.cache_read %j input 0 into "local" : (!transform.any_op) -> !transform.any_op
    """

    name = "transform.schedule.cache_read"

    loop = operand_def(TransformOpHandleType)
    input = prop_def(IntegerAttr[I64])
    scope = prop_def(StringAttr)
    result = result_def(TransformOpHandleType)

    assembly_format = (
        "$loop `input` $input `into` $scope attr-dict `:` functional-type(operands, results)"
    )

    def __init__(self, loop: SSAValue, input: int, scope: str):
        super().__init__(
            operands=[loop],
            properties={"input": IntegerAttr(input, i64), "scope": StringAttr(scope)},
            result_types=[transform.AnyOpType()],
        )

    def verify_(self) -> None:
        verify_scope(self.scope)
        if self.input.value.data < 0:
            raise VerifyException(f"input number must not be negative, got {self.input}")


@irdl_op_definition
class CacheWriteOp(IRDLOperation):
    """Accumulate the tile of the output that one iteration of a loop writes in a buffer
    of the given memory scope, allocated in that loop, and write it back after; gives the
    write-back loop nest and, if asked for, the nest that fills the buffer first (empty
    when nothing needs to).

    %c = transform.schedule.cache_write %j into "local" : (!transform.any_op) -> !transform.any_op
    %c, %init = transform.schedule.cache_write %j into "local" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    """

    name = "transform.schedule.cache_write"

    loop = operand_def(TransformOpHandleType)
    scope = prop_def(StringAttr)
    nests = var_result_def(TransformOpHandleType)

    assembly_format = "$loop `into` $scope attr-dict `:` functional-type(operands, results)"

    def __init__(self, loop: SSAValue, scope: str, init: bool = False):
        super().__init__(
            operands=[loop],
            properties={"scope": StringAttr(scope)},
            result_types=[[transform.AnyOpType()] * (2 if init else 1)],
        )

    def verify_(self) -> None:
        verify_scope(self.scope)
        if len(self.nests) not in (1, 2):
            raise VerifyException(f"cache_write gives 1 or 2 handles, not {len(self.nests)}")


# Annotating loops -----------------------------------------------------------------------


@irdl_op_definition
class VectorizeOp(IRDLOperation):
    """Run an innermost loop as vector lanes of the given width: `#loop.vectorize<W>`.

    transform.schedule.vectorize %loop width 8 : !transform.any_op
    """

    name = "transform.schedule.vectorize"

    loop = operand_def(TransformOpHandleType)
    width = opt_operand_def(TransformParamHandleType)
    static_width = opt_prop_def(IntegerAttr[I64])

    custom_directives = (IntegerOrParam,)
    assembly_format = (
        "$loop `width` custom<IntegerOrParam>($width, $static_width) attr-dict `:` type(operands)"
    )

    def __init__(self, loop: SSAValue, width: int | SSAValue):
        super().__init__(
            operands=[loop, [width] if isinstance(width, SSAValue) else []],
            properties={
                "static_width": IntegerAttr(width, i64) if isinstance(width, int) else None
            },
        )

    def verify_(self) -> None:
        verify_integer_or_param(self, "vector width", self.static_width, self.width)
        width = static_value(self.static_width)
        if width is not None and width & (width - 1):
            raise VerifyException(f"vector width must be a power of two, got {width}")


@irdl_op_definition
class UnrollOp(IRDLOperation):
    """Unroll a loop by a factor: `#loop.unroll<F>`.

    transform.schedule.unroll %loop by 4 : !transform.any_op
    """

    name = "transform.schedule.unroll"

    loop = operand_def(TransformOpHandleType)
    factor = opt_operand_def(TransformParamHandleType)
    static_factor = opt_prop_def(IntegerAttr[I64])

    custom_directives = (IntegerOrParam,)
    assembly_format = (
        "$loop `by` custom<IntegerOrParam>($factor, $static_factor) attr-dict `:` type(operands)"
    )

    def __init__(self, loop: SSAValue, factor: int | SSAValue):
        super().__init__(
            operands=[loop, [factor] if isinstance(factor, SSAValue) else []],
            properties={
                "static_factor": IntegerAttr(factor, i64) if isinstance(factor, int) else None
            },
        )

    def verify_(self) -> None:
        verify_integer_or_param(self, "unroll factor", self.static_factor, self.factor)


@irdl_op_definition
class ParallelOp(IRDLOperation):
    """Run the iterations of a loop that carries no dependence on several cores:
    `#loop.parallel`.

    transform.schedule.parallel %loop : !transform.any_op
    """

    name = "transform.schedule.parallel"

    loop = operand_def(TransformOpHandleType)

    assembly_format = "$loop attr-dict `:` type($loop)"

    def __init__(self, loop: SSAValue):
        super().__init__(operands=[loop])


@irdl_op_definition
class VirtualThreadOp(IRDLOperation):
    """Make the iterations of a loop that carries no dependence virtual threads, each with
    its own buffers, their instruction streams interleaved by a target with decoupled
    units (latency hiding): `#loop.virtual_thread`.

    transform.schedule.virtual_thread %loop : !transform.any_op
    """

    name = "transform.schedule.virtual_thread"

    loop = operand_def(TransformOpHandleType)

    assembly_format = "$loop attr-dict `:` type($loop)"

    def __init__(self, loop: SSAValue):
        super().__init__(operands=[loop])


@irdl_op_definition
class BindOp(IRDLOperation):
    """Map a loop that carries no dependence onto a GPU grid axis: `#loop.bind<"axis">`.

    transform.schedule.bind %loop to "threadIdx.x" : !transform.any_op
    """

    name = "transform.schedule.bind"

    loop = operand_def(TransformOpHandleType)
    axis = prop_def(StringAttr)

    assembly_format = "$loop `to` $axis attr-dict `:` type($loop)"

    def __init__(self, loop: SSAValue, axis: str):
        super().__init__(operands=[loop], properties={"axis": StringAttr(axis)})

    def verify_(self) -> None:
        if self.axis.data not in GPU_AXES:
            raise VerifyException(
                f"unknown GPU axis '{self.axis.data}', expected one of {', '.join(GPU_AXES)}"
            )


@irdl_op_definition
class TensorizeOp(IRDLOperation):
    """Replace the loop nest under a loop by a hardware intrinsic declared with
    `te.intrinsic`, when the nest computes exactly the intrinsic's pattern.

    transform.schedule.tensorize %loop with @dot4 : !transform.any_op
    """

    name = "transform.schedule.tensorize"

    loop = operand_def(TransformOpHandleType)
    intrinsic = prop_def(SymbolRefAttr)

    assembly_format = "$loop `with` $intrinsic attr-dict `:` type($loop)"

    def __init__(self, loop: SSAValue, intrinsic: str):
        super().__init__(operands=[loop], properties={"intrinsic": SymbolRefAttr(intrinsic)})


# The tuner's view: knobs and alternatives as one list of choices ------------------------


@dataclass(frozen=True)
class Knob:
    """One tunable choice of a schedule: a knob, or the region of alternatives."""

    name: str
    options: tuple[KnobValue, ...]
    value: KnobValue | None


def knob_value(attr: Attribute) -> KnobValue:
    """A knob option as a Python value."""
    if isinstance(attr, IntegerAttr):
        if attr.type == IntegerType(1):
            return bool(attr.value.data)
        return attr.value.data
    if isinstance(attr, FloatAttr):
        return attr.value.data
    if isinstance(attr, StringAttr):
        return attr.data
    raise VerifyException(f"unsupported knob option {attr}")


def choices(schedule: Operation) -> list[Knob]:
    """Every knob and alternatives op of `schedule`, in order; a name used twice must
    name the same options, and it is one choice."""
    found: dict[str, Knob] = {}
    for op in schedule.walk():
        if isinstance(op, KnobOp):
            name = op.knob_name.data
            options = tuple(knob_value(o) for o in op.options.data)
            value = None if op.selected is None else knob_value(op.selected)
        elif isinstance(op, AlternativesOp) and op.selected_region_param is None:
            name = op.alternatives_name.data
            options = tuple(range(len(op.alternatives)))
            value = static_value(op.selected_region_attr)
        else:
            continue
        knob = Knob(name, options, value)
        previous = found.setdefault(name, knob)
        if previous.options != options:
            raise ZigguratError(
                f"knob '{name}' is declared twice with different options: "
                f"{list(previous.options)} and {list(options)}",
                op,
            )
    return list(found.values())


def knobs(schedule: Operation) -> list[tuple[str, list[KnobValue]]]:
    """The search space of a schedule: each knob's name and options (alternatives count
    as a knob whose options are region numbers), whether fixed or open."""
    return [(knob.name, list(knob.options)) for knob in choices(schedule)]


def open_knobs(schedule: Operation) -> list[str]:
    """The names of the knobs still to be fixed."""
    return [knob.name for knob in choices(schedule) if knob.value is None]


def declaration(schedule: Operation, name: str) -> Operation:
    """The first knob or alternatives op of `schedule` that declares the choice `name`."""
    return next(
        op
        for op in schedule.walk()
        if (isinstance(op, KnobOp) and op.knob_name.data == name)
        or (isinstance(op, AlternativesOp) and op.alternatives_name.data == name)
    )


def fix_knobs(schedule: Operation, values: dict[str, KnobValue]) -> Operation:
    """A copy of `schedule` with the named knobs fixed to the given values (a fixed knob
    may be fixed again); an unknown name, or a value outside a knob's options (at the knob),
    is an error."""
    space = {knob.name: knob for knob in choices(schedule)}
    for name, value in values.items():
        if name not in space:
            raise ZigguratError(
                f"the schedule has no knob '{name}'; its knobs are {', '.join(space) or 'none'}",
                schedule,
            )
        options = space[name].options
        if not any(type(o) is type(value) and o == value for o in options):
            raise ZigguratError(
                f"{value!r} is not an option of knob '{name}', expected one of {list(options)}",
                declaration(schedule, name),
            )
    fixed = schedule.clone()
    for op in fixed.walk():
        if isinstance(op, KnobOp) and op.knob_name.data in values:
            value = values[op.knob_name.data]
            options = op.options.data
            op.selected = next(o for o in options if knob_value(o) == value)
        elif isinstance(op, AlternativesOp) and op.alternatives_name.data in values:
            if op.selected_region_param is None:
                op.selected_region_attr = IntegerAttr(int(values[op.alternatives_name.data]), i64)
    return fixed


SCHEDULE_OPS: list[type[Operation]] = [
    KnobOp,
    AlternativesOp,
    GetLoopsOp,
    SplitOp,
    TileOp,
    ReorderOp,
    FuseOp,
    ComputeAtOp,
    ComputeInlineOp,
    CacheReadOp,
    CacheWriteOp,
    VectorizeOp,
    UnrollOp,
    ParallelOp,
    BindOp,
    TensorizeOp,
    VirtualThreadOp,
]

Transform = Dialect(
    "transform",
    [*transform.Transform.operations, *SCHEDULE_OPS],
    list(transform.Transform.attributes),
)
