"""The loop level: what `scf`, `memref` and `arith` lack for scheduled loop nests.

Loops are plain `scf.for`; a schedule annotates one with the discardable attribute
`loop.annotations`, a list of the attributes below. Buffers are plain memrefs whose memory
space, where it is not the default, is a `#loop.scope`. The only op is a barrier between
the threads of a GPU block. IR without these stays readable by upstream MLIR tools.

    scf.for %i = %c0 to %c64 step %c1 {
      ...
    } {loop.annotations = [#loop.parallel, #loop.unroll<4>]}
    %tile = memref.alloc() : memref<8x8xf32, #loop.scope<local>>
    loop.barrier
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import ArrayAttr, IntAttr, StringAttr
from xdsl.ir import Attribute, Dialect, Operation, ParametrizedAttribute
from xdsl.irdl import IRDLOperation, irdl_attr_definition, irdl_op_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

ANNOTATIONS = "loop.annotations"
# On a func.func (or its declaration): only our own code calls it, so `loop-to-llvm` passes
# each memref of static shape and layout to it as a bare pointer, not as a descriptor. A
# private function with a body is called so anyway; the mark keeps that where a module is
# cut into separately built units (targets/cpu/build.py), which makes functions public.
BARE_POINTERS = "loop.bare_pointers"
GPU_AXES = tuple(f"{grid}.{d}" for grid in ("blockIdx", "threadIdx") for d in "xyz")
# An accelerator's on-chip buffers (targets/accel, targets/systolic) are scopes too.
SCOPES = ("global", "shared", "local", "input", "weight", "accumulator")
# Bytes every buffer Ziggurat allocates is aligned to: a cache line, and an AVX-512 vector.
ALIGNMENT = 64


@irdl_attr_definition
class ParallelAttr(ParametrizedAttribute):
    """The iterations are independent and may run on several cores: `#loop.parallel`."""

    name = "loop.parallel"


@irdl_attr_definition
class VectorizeAttr(ParametrizedAttribute):
    """Run the loop as vector lanes of the given width: `#loop.vectorize<8>`."""

    name = "loop.vectorize"

    width: IntAttr

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            return (IntAttr(parser.parse_integer(allow_boolean=False)),)

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.width.data}>")

    def verify(self) -> None:
        width = self.width.data
        if width < 1 or width & (width - 1):
            raise VerifyException(f"vector width must be a power of two, got {width}")


@irdl_attr_definition
class UnrollAttr(ParametrizedAttribute):
    """Unroll the loop by the given factor: `#loop.unroll<4>`."""

    name = "loop.unroll"

    factor: IntAttr

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            return (IntAttr(parser.parse_integer(allow_boolean=False)),)

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.factor.data}>")

    def verify(self) -> None:
        if self.factor.data < 1:
            raise VerifyException(f"unroll factor must be positive, got {self.factor.data}")


@irdl_attr_definition
class BindAttr(ParametrizedAttribute):
    """Map the loop onto a GPU grid axis: `#loop.bind<"threadIdx.x">`."""

    name = "loop.bind"

    axis: StringAttr

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            return (StringAttr(parser.parse_str_literal(" for the GPU axis")),)

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f'<"{self.axis.data}">')

    def verify(self) -> None:
        if self.axis.data not in GPU_AXES:
            raise VerifyException(
                f"unknown GPU axis '{self.axis.data}', expected one of {', '.join(GPU_AXES)}"
            )


@irdl_attr_definition
class VirtualThreadAttr(ParametrizedAttribute):
    """The iterations are virtual threads: a target with decoupled load, compute and store
    units gives each its own buffers and interleaves their instruction streams:
    `#loop.virtual_thread`."""

    name = "loop.virtual_thread"


@irdl_attr_definition
class ScopeAttr(ParametrizedAttribute):
    """The memory a buffer lives in, as a memref memory space: `#loop.scope<shared>`."""

    name = "loop.scope"

    scope: StringAttr

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            return (StringAttr(parser.parse_identifier("memory scope")),)

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.scope.data}>")

    def verify(self) -> None:
        if self.scope.data not in SCOPES:
            raise VerifyException(
                f"unknown memory scope '{self.scope.data}', expected one of {', '.join(SCOPES)}"
            )


LoopAnnotation = ParallelAttr | VectorizeAttr | UnrollAttr | BindAttr | VirtualThreadAttr


@irdl_op_definition
class BarrierOp(IRDLOperation):
    """Wait until every thread of the block reaches this point.

    loop.barrier
    """

    name = "loop.barrier"

    assembly_format = "attr-dict"


def annotations(op: Operation) -> list[LoopAnnotation]:
    """The schedule annotations of a loop, in order."""
    attr = op.attributes.get(ANNOTATIONS)
    if attr is None:
        return []
    if not isinstance(attr, ArrayAttr) or not all(isinstance(a, LoopAnnotation) for a in attr.data):
        raise VerifyException(f"{ANNOTATIONS} must be a list of #loop attributes, got {attr}")
    return list(attr.data)  # type: ignore[arg-type]


def annotate(op: Operation, annotation: LoopAnnotation) -> None:
    """Add one schedule annotation to a loop."""
    op.attributes[ANNOTATIONS] = ArrayAttr([*annotations(op), annotation])


Loop = Dialect(
    "loop",
    [BarrierOp],
    [ParallelAttr, VectorizeAttr, UnrollAttr, BindAttr, ScopeAttr, VirtualThreadAttr],
)
