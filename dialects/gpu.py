"""The `gpu` dialect: kernels and their launches, as upstream MLIR spells them.

The level below the loop level for a GPU: a `gpu.module` holds the kernels (`gpu.func ...
kernel`), whose bodies run once per thread of a grid of blocks and read their place in it
with `gpu.thread_id` and `gpu.block_id`; `gpu.barrier` holds a block's threads until all
reach it. A host function launches a kernel with `gpu.launch_func`: the grid and block
sizes, the bytes of dynamic shared memory each block gets, and the arguments. Buffers keep
their memref types; a `#loop.scope<shared>` buffer a kernel allocates lives in its block's
shared memory, a `#loop.scope<local>` one in each thread's registers or local memory.

xDSL 0.74 declares these ops without a textual form; the ones here are xDSL's with
upstream's syntax (and verifiers for what a launch must satisfy), so the text of either
parses and prints the same. Upstream's other gpu ops are xDSL's, in generic form.

    builtin.module attributes {gpu.container_module} {
      gpu.module @kernels {
        gpu.func @scale(%A: memref<1024xf32>) kernel attributes {gpu.known_block_size = array<i32: 256, 1, 1>} {
          %b = gpu.block_id x
          %t = gpu.thread_id x
          ...
          gpu.return
        }
      }
      func.func @main(%A: memref<1024xf32>) {
        gpu.launch_func @kernels::@scale blocks in (%c4, %c1, %c1) threads in (%c256, %c1, %c1) dynamic_shared_memory_size %c0_i32 args(%A : memref<1024xf32>)
        func.return
      }
    }
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from xdsl.dialects import arith, gpu
from xdsl.dialects.builtin import (
    DenseArrayBase,
    Float16Type,
    Float32Type,
    FunctionType,
    IndexType,
    IntegerAttr,
    StringAttr,
    SymbolRefAttr,
    i32,
)
from xdsl.ir import Attribute, Block, Dialect, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    irdl_op_definition,
    prop_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.printer import Printer
from xdsl.traits import SymbolTable
from xdsl.utils.exceptions import VerifyException

# What every NVIDIA GPU since Volta allows a block (CUDA's programming guide, Table 21).
MOST_THREADS = 1024
WARP = 32
MOST_BLOCK_SIZE = (1024, 1024, 64)
MOST_GRID_SIZE = (2**31 - 1, 65535, 65535)
DIMENSIONS = ("x", "y", "z")

CONTAINER = "gpu.container_module"
"""The unit attribute of a builtin.module that holds gpu.modules, as upstream requires."""
KERNEL = "gpu.kernel"
"""The unit attribute of a kernel lowered to another dialect's function (llvm.func)."""


def dimension(name: str) -> gpu.DimensionAttr:
    return gpu.DimensionAttr(gpu.DimensionEnum(name))


def check_block_size(sizes: Sequence[int]) -> None:
    """A block of these sizes may be launched, or the limit it breaks."""
    threads = math.prod(sizes)
    shape = " x ".join(map(str, sizes))
    if threads > MOST_THREADS:
        raise VerifyException(
            f"a block of {threads} threads ({shape}), more than the {MOST_THREADS} a block may have"
        )
    for name, size, most in zip(DIMENSIONS, sizes, MOST_BLOCK_SIZE, strict=True):
        if size > most:
            raise VerifyException(f"a block of {size} threads along {name}, more than {most}")


# Kernels ---------------------------------------------------------------------------------


class ModuleOp(gpu.ModuleOp):
    """The kernels compiled together for the device.

    gpu.module @kernels { ... }
    """

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_symbol_name(self.sym_name.data)
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False, print_empty_block=False)

    @classmethod
    def parse(cls, parser: Parser) -> ModuleOp:
        name = parser.parse_symbol_name()
        attributes = parser.parse_optional_attr_dict_with_keyword()
        body = parser.parse_region()
        if not body.blocks:
            body.add_block(Block())
        op = cls(name, body)  # type: ignore[arg-type]
        if attributes is not None:
            op.attributes |= attributes.data
        return op


class FuncOp(gpu.FuncOp):
    """A function of a gpu.module; a `kernel` runs once per thread of a launch.

    gpu.func @k(%A: memref<64xf32>) kernel attributes {gpu.known_block_size = array<i32: 64, 1, 1>} {...}
    """

    def verify_(self) -> None:
        super().verify_()
        for known in (self.known_block_size, self.known_grid_size):
            if known is not None and len(known.get_values()) != 3:
                raise VerifyException("known block and grid sizes have 3 dimensions")
        if self.known_block_size is not None:
            check_block_size(self.known_block_size.get_values())  # type: ignore[arg-type]

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_symbol_name(self.sym_name.data)
        printer.print_string("(")
        printer.print_list(self.body.block.args, printer.print_block_argument)
        printer.print_string(")")
        outputs = self.function_type.outputs.data
        if outputs:
            printer.print_string(" -> ")
            printer.print_list(outputs, printer.print_attribute)
        if self.kernel is not None:
            printer.print_string(" kernel")
        printer.print_op_attributes(
            self.attributes, reserved_attr_names=("sym_name",), print_keyword=True
        )
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False)

    @classmethod
    def parse(cls, parser: Parser) -> FuncOp:
        name = parser.parse_symbol_name().data
        arguments = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_argument)
        outputs: list[Attribute] = []
        if parser.parse_optional_punctuation("->"):
            outputs = [parser.parse_type()]
            while parser.parse_optional_punctuation(","):
                outputs.append(parser.parse_type())
        kernel = parser.parse_optional_keyword("kernel") is not None
        attributes = parser.parse_optional_attr_dict_with_keyword()
        body = parser.parse_region(arguments)
        inputs = [argument.type for argument in arguments]
        op = cls(name, FunctionType.from_lists(inputs, outputs), body, kernel=kernel or None)
        if attributes is not None:
            op.attributes |= attributes.data
        return op


class ReturnOp(gpu.ReturnOp):
    """Leave a gpu.func (a kernel returns nothing).

    gpu.return
    """

    def print(self, printer: Printer) -> None:
        printer.print_op_attributes(self.attributes)
        if self.args:
            printer.print_string(" ")
            printer.print_list(self.args, printer.print_ssa_value)
            printer.print_string(" : ")
            printer.print_list(self.args.types, printer.print_attribute)

    @classmethod
    def parse(cls, parser: Parser) -> ReturnOp:
        attributes = parser.parse_optional_attr_dict()
        operands = parser.parse_optional_undelimited_comma_separated_list(
            parser.parse_optional_unresolved_operand, parser.parse_unresolved_operand
        )
        values: list[SSAValue] = []
        if operands:
            parser.parse_punctuation(":")
            types = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_type)
            values = parser.resolve_operands(operands, types, parser.pos)
        op = cls(values)
        op.attributes |= attributes
        return op


class IndexOfThread:
    """The text of the ops that read one dimension of the thread's place: `gpu.thread_id x`."""

    dimension: gpu.DimensionAttr

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.dimension.data.value}")
        printer.print_op_attributes(self.attributes)  # type: ignore[attr-defined]

    @classmethod
    def parse(cls, parser: Parser):
        start = parser.pos
        name = parser.parse_identifier("dimension x, y or z")
        if name not in DIMENSIONS:
            parser.raise_error(f"expected dimension x, y or z, got '{name}'", start, parser.pos)
        op = cls(dimension(name))  # type: ignore[call-arg]
        op.attributes |= parser.parse_optional_attr_dict()
        return op


class ThreadIdOp(IndexOfThread, gpu.ThreadIdOp):
    """The thread's index in its block along a dimension: `%t = gpu.thread_id x`."""


class BlockIdOp(IndexOfThread, gpu.BlockIdOp):
    """The block's index in the grid along a dimension: `%b = gpu.block_id x`."""


class BlockDimOp(IndexOfThread, gpu.BlockDimOp):
    """The threads of a block along a dimension: `%n = gpu.block_dim x`."""


class GridDimOp(IndexOfThread, gpu.GridDimOp):
    """The blocks of the grid along a dimension: `%n = gpu.grid_dim x`."""


class LaneIdOp(gpu.LaneIdOp):
    """The thread's lane in its warp (0 to 31): `%l = gpu.lane_id`."""

    def print(self, printer: Printer) -> None:
        printer.print_op_attributes(self.attributes)

    @classmethod
    def parse(cls, parser: Parser) -> LaneIdOp:
        op = cls()
        op.attributes |= parser.parse_optional_attr_dict()
        return op


class BarrierOp(gpu.BarrierOp):
    """Wait until every thread of the block reaches this point: `gpu.barrier`."""

    def print(self, printer: Printer) -> None:
        printer.print_op_attributes(self.attributes)

    @classmethod
    def parse(cls, parser: Parser) -> BarrierOp:
        op = cls()
        op.attributes |= parser.parse_optional_attr_dict()
        return op


# Warp-collective ops ----------------------------------------------------------------------


# The fragments of an m16n8k16 f16 mma each lane holds: registers of A, B, C (and D).
MMA_FRAGMENTS = {"m16n8k16": (8, 4, 4)}


@irdl_op_definition
class MmaSyncOp(IRDLOperation):
    """A warp's tensor-core product D = A B + C (PTX `mma.sync.aligned.m16n8k16.row.col`):
    the 32 lanes execute it together, each giving its fragment registers of A and B (f16)
    and C (f32) and getting its fragment of D (the PTX ISA's layout, mma-fragments).

        %d0, %d1, %d2, %d3 = gpu.mma_sync m16n8k16 (%a0, ..., %a7) (%b0, ..., %b3) (%c0, ..., %c3) : f16, f32
    """

    name = "gpu.mma_sync"
    a = var_operand_def(Float16Type)
    b = var_operand_def(Float16Type)
    c = var_operand_def(Float32Type)
    d = var_result_def(Float32Type)
    shape = prop_def(StringAttr)
    irdl_options = (AttrSizedOperandSegments(as_property=True),)

    def __init__(
        self,
        a: Sequence[SSAValue],
        b: Sequence[SSAValue],
        c: Sequence[SSAValue],
        shape: str = "m16n8k16",
    ):
        super().__init__(
            operands=[a, b, c],
            result_types=[[Float32Type()] * len(c)],
            properties={"shape": StringAttr(shape)},
        )

    def verify_(self) -> None:
        counts = MMA_FRAGMENTS.get(self.shape.data)
        if counts is None:
            raise VerifyException(f"no mma of shape {self.shape.data}: {', '.join(MMA_FRAGMENTS)}")
        have = (len(self.a), len(self.b), len(self.c))
        if have != counts or len(self.d) != counts[2]:
            raise VerifyException(
                f"an {self.shape.data} mma takes {counts[0]}, {counts[1]} and {counts[2]} "
                f"registers of A, B and C a lane and gives {counts[2]} of D, not {have[0]}, "
                f"{have[1]}, {have[2]} and {len(self.d)}"
            )

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.shape.data}")
        for values in (self.a, self.b, self.c):
            printer.print_string(" (")
            printer.print_list(values, printer.print_ssa_value)
            printer.print_string(")")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : f16, f32")

    @classmethod
    def parse(cls, parser: Parser) -> MmaSyncOp:
        shape = parser.parse_identifier("the mma's shape (m16n8k16)")
        groups = []
        for element in (Float16Type(), Float16Type(), Float32Type()):
            operands = parser.parse_comma_separated_list(
                parser.Delimiter.PAREN, parser.parse_unresolved_operand
            )
            groups.append([parser.resolve_operand(o, element) for o in operands])
        attributes = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        parser.parse_type()
        parser.parse_punctuation(",")
        parser.parse_type()
        op = cls(*groups, shape=shape)
        op.attributes |= attributes
        return op


# Launches --------------------------------------------------------------------------------


def constant_size(value: SSAValue) -> int | None:
    owner = value.owner
    if isinstance(owner, arith.ConstantOp) and isinstance(owner.value, IntegerAttr):
        return owner.value.value.data
    return None


class LaunchFuncOp(gpu.LaunchFuncOp):
    """Run a kernel on a grid of blocks of threads, each block with the given bytes of
    dynamic shared memory, and wait for it.

    gpu.launch_func @kernels::@k blocks in (%c4, %c1, %c1) threads in (%c256, %c1, %c1) dynamic_shared_memory_size %bytes args(%A : memref<1024xf32>)
    """

    def grid(self) -> list[SSAValue]:
        return [self.gridSizeX, self.gridSizeY, self.gridSizeZ]

    def block(self) -> list[SSAValue]:
        return [self.blockSizeX, self.blockSizeY, self.blockSizeZ]

    def verify_(self) -> None:
        if self.asyncDependencies or self.asyncObject is not None or self.results:
            raise VerifyException("asynchronous launches are not supported")
        if self.clusterSizeX is not None:
            raise VerifyException("launches in clusters are not supported")
        block = [constant_size(v) for v in self.block()]
        if all(size is not None for size in block):
            check_block_size(block)  # type: ignore[arg-type]
        for name, value, most in zip(DIMENSIONS, self.grid(), MOST_GRID_SIZE, strict=True):
            size = constant_size(value)
            if size is not None and not 1 <= size <= most:
                raise VerifyException(f"a grid of {size} blocks along {name}, expected 1 to {most}")
        kernel = self.kernel_function()
        if kernel is None:
            return
        name = kernel.sym_name.data
        expected = list(kernel.function_type.inputs.data)
        if list(self.kernelOperands.types) != expected:
            raise VerifyException(
                f"kernel '{name}' takes ({', '.join(map(str, expected))}), but the launch "
                f"passes ({', '.join(map(str, self.kernelOperands.types))})"
            )
        known = kernel.known_block_size
        if known is not None and all(size is not None for size in block):
            if list(known.get_values()) != block:
                raise VerifyException(
                    f"kernel '{name}' runs in blocks of {tuple(known.get_values())} threads, "
                    f"but the launch gives blocks of {tuple(block)}"
                )

    def kernel_function(self) -> gpu.FuncOp | None:
        """The gpu.func this launches, where the module around it declares one."""
        top = self.get_toplevel_object()
        module = SymbolTable.lookup_symbol(top, self.kernel.root_reference)
        if module is None:
            return None
        if not isinstance(module, gpu.ModuleOp) or len(self.kernel.nested_references) != 1:
            raise VerifyException(f"'{self.kernel}' is not a kernel of a gpu.module")
        function = SymbolTable.lookup_symbol(module, self.kernel.nested_references.data[0])
        if isinstance(function, gpu.FuncOp) and function.kernel is not None:
            return function
        if function is not None and KERNEL in function.attributes:
            return None  # lowered already (gpu-to-nvvm), as upstream marks it
        raise VerifyException(f"'{self.kernel}' is not a gpu.func marked kernel")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_attribute(self.kernel)
        for keyword, sizes in (("blocks", self.grid()), ("threads", self.block())):
            printer.print_string(f" {keyword} in (")
            printer.print_list(sizes, printer.print_ssa_value)
            printer.print_string(")")
        if self.dynamicSharedMemorySize is not None:
            printer.print_string(" dynamic_shared_memory_size ")
            printer.print_ssa_value(self.dynamicSharedMemorySize)
        if self.kernelOperands:
            printer.print_string(" args(")
            printer.print_list(
                self.kernelOperands,
                lambda v: (
                    printer.print_ssa_value(v),
                    printer.print_string(" : "),
                    printer.print_attribute(v.type),
                ),
            )
            printer.print_string(")")
        printer.print_op_attributes(
            self.attributes, reserved_attr_names=("operandSegmentSizes",), print_keyword=False
        )

    @classmethod
    def parse(cls, parser: Parser) -> LaunchFuncOp:
        kernel = parser.parse_attribute()
        if not isinstance(kernel, SymbolRefAttr):
            parser.raise_error("expected the kernel as @module::@function")

        def sizes(keyword: str) -> list[SSAValue]:
            parser.parse_keyword(keyword)
            parser.parse_keyword("in")
            names = parser.parse_comma_separated_list(
                parser.Delimiter.PAREN, parser.parse_unresolved_operand
            )
            if len(names) != 3:
                parser.raise_error(f"expected 3 {keyword} sizes, got {len(names)}")
            return parser.resolve_operands(names, [IndexType()] * 3, parser.pos)

        grid, block = sizes("blocks"), sizes("threads")
        shared = None
        if parser.parse_optional_keyword("dynamic_shared_memory_size"):
            shared = parser.resolve_operand(parser.parse_unresolved_operand(), i32)
        arguments: list[SSAValue] = []
        if parser.parse_optional_keyword("args"):

            def argument() -> SSAValue:
                name: UnresolvedOperand = parser.parse_unresolved_operand()
                parser.parse_punctuation(":")
                return parser.resolve_operand(name, parser.parse_type())

            arguments = parser.parse_comma_separated_list(parser.Delimiter.PAREN, argument)
        attributes = parser.parse_optional_attr_dict()
        op = cls(kernel, grid, block, kernelOperands=arguments, dynamicSharedMemorySize=shared)
        op.attributes |= attributes
        return op


def known_sizes(sizes: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i32, list(sizes))


OPS = [
    ModuleOp,
    FuncOp,
    ReturnOp,
    ThreadIdOp,
    BlockIdOp,
    BlockDimOp,
    GridDimOp,
    LaneIdOp,
    BarrierOp,
    MmaSyncOp,
    LaunchFuncOp,
]
REPLACED = {op.name for op in OPS}

GPU = Dialect(
    "gpu",
    [*(op for op in gpu.GPU.operations if op.name not in REPLACED), *OPS],
    list(gpu.GPU.attributes),
)
