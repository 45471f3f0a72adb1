"""`lower-to-systolic`: a function whose matmul the schedule tensorized for the systolic
array becomes a `systolic.array` of instructions.

    ziggurat-opt mm.mlir -p 'lower-to-systolic{size=8}'

The schedule leaves an init nest (the output set to 0) and loops over blocks of columns
and of k around a loop over rows, which calls the intrinsic on views of the tensors.
This pass runs the block loops at compile time: per block, `systolic.weights` (where the
block changed) and one `systolic.stream` of every row, added to the output after the
first block of k. What the array cannot run is an error at the op, or with `fallback`
the function stays at the loop level with its reason in `accel.fallback`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from xdsl.context import Context
from xdsl.dialects import func, memref, scf
from xdsl.dialects.builtin import DYNAMIC_INDEX, ModuleOp, StridedLayoutAttr, StringAttr
from xdsl.ir import Operation
from xdsl.passes import ModulePass

from ziggurat.analysis.payload import band, bounds, constant_int, is_pure, iv
from ziggurat.analysis.ranges import linear
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.systolic import ArrayOp, StreamOp, WeightsOp
from ziggurat.passes.graph.fuse_ops import ANCHOR
from ziggurat.targets.offload import DECLINED, FALLBACK

UPDATE = "systolic_mm_update"


@dataclass(frozen=True)
class LowerToSystolic(ModulePass):
    """Lower the functions that call the array's intrinsic to systolic.array programs."""

    name = "lower-to-systolic"

    size: int = 8
    fallback: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for function in [f for f in op.ops if isinstance(f, func.FuncOp) and f.body.blocks]:
            if not any(
                isinstance(o, func.CallOp) and o.callee.string_value() == UPDATE
                for o in function.walk()
            ):
                if (
                    self.fallback
                    and ANCHOR in function.attributes
                    and FALLBACK not in function.attributes
                ):
                    function.attributes[FALLBACK] = StringAttr(
                        "the systolic array runs int8 matmuls only"
                    )
                continue
            try:
                array = ArrayOp(self.size, instructions(function))
            except ZigguratError as error:
                if not self.fallback:
                    raise
                function.attributes[FALLBACK] = StringAttr(error.message)
                function.attributes[DECLINED] = StringAttr(error.message)
                continue
            block = function.body.block
            for inner in reversed(list(block.ops)):
                inner.detach()
                inner.erase(safe_erase=False)
            block.add_ops([array, func.ReturnOp()])
        for declaration in [f for f in op.ops if isinstance(f, func.FuncOp)]:
            if declaration.sym_name.data.startswith("systolic_mm") and not any(
                isinstance(o, func.CallOp) and o.callee.string_value() == declaration.sym_name.data
                for o in op.walk()
            ):
                declaration.detach()


def instructions(function: func.FuncOp) -> list[Operation]:
    found: list[Operation] = []
    for op in function.body.block.ops:
        if isinstance(op, scf.ForOp) and any(isinstance(o, func.CallOp) for o in op.walk()):
            found += blocks(op)
        elif isinstance(op, scf.ForOp):
            stores = [o for o in op.walk() if isinstance(o, memref.StoreOp)]
            if len(stores) != 1 or constant_int(stores[0].value) != 0:
                raise ZigguratError("the array runs a matmul alone (no epilogue)", op)
        elif not (is_pure(op) or isinstance(op, func.ReturnOp)):
            raise ZigguratError(f"the systolic array cannot run '{op.name}'", op)
    return found


def blocks(root: scf.ForOp) -> list[Operation]:
    """The instructions of the loops over blocks (all but the innermost of the band, the
    rows) around the intrinsic's calls."""
    loops = band(root)
    rows, host = loops[-1], loops[:-1]
    calls = [o for o in rows.body.block.ops if isinstance(o, func.CallOp)]
    if len(calls) != 1 or any(isinstance(o, scf.ForOp | scf.IfOp) for o in rows.body.block.ops):
        raise ZigguratError("the array streams whole rows through one block at a time", rows)
    views = [subview(argument) for argument in calls[0].arguments]
    found: list[Operation] = []
    loaded, written = None, set()
    for values in product(*(range(bounds(loop).trip_count) for loop in host)):
        known = {iv(loop): v for loop, v in zip(host, values, strict=True)}
        (a, a_step), (b, b_step), (c, c_step) = (address(view, known, iv(rows)) for view in views)
        if b_step:
            raise ZigguratError(
                "the weights must stay in the array while the rows stream", calls[0]
            )
        if b != loaded:
            found.append(WeightsOp(views[1].source, b, tile_strides(views[1])))
            loaded = b
        count = bounds(rows).trip_count
        a_strides = [a_step, *tile_strides(views[0])]
        c_strides = [c_step, *tile_strides(views[2])]
        found.append(
            StreamOp(
                views[0].source, a, a_strides, count, views[2].source, c, c_strides, c in written
            )
        )
        written.add(c)
    return found


def subview(value) -> memref.SubviewOp:
    while isinstance(value.owner, Operation) and value.owner.name == "memref.cast":
        value = value.owner.operands[0]
    if not isinstance(value.owner, memref.SubviewOp):
        raise ZigguratError("the intrinsic's operands must be views of tensors", value.owner)
    return value.owner


def address(view: memref.SubviewOp, known: dict, row) -> tuple[int, int]:
    """A view's first element once the block loops are `known`, and its step per row."""
    strides = [1]
    for size in reversed(view.source.type.get_shape()[1:]):  # type: ignore[attr-defined]
        strides.insert(0, strides[0] * size)
    dynamic = iter(view.offsets)
    total = step = 0
    for offset, stride in zip(view.static_offsets.get_values(), strides, strict=True):
        if offset != DYNAMIC_INDEX:
            total += offset * stride
            continue
        terms, constant = linear(next(dynamic))
        total += constant * stride
        for atom, coefficient in terms.items():
            if atom is row:
                step += coefficient * stride
            elif atom in known:
                total += coefficient * known[atom] * stride
            else:
                raise ZigguratError(
                    "a view of the intrinsic is no affine function of the loops", view
                )
    return total, step


def tile_strides(view: memref.SubviewOp) -> list[int]:
    layout = view.result.type.layout  # type: ignore[attr-defined]
    assert isinstance(layout, StridedLayoutAttr)
    return [s.data for s in layout.strides.data]  # type: ignore[union-attr]
