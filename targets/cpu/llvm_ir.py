"""Translate an `llvm`-dialect module to LLVM IR text.

xDSL's `xdsl.backend.llvm` translates most ops; this wraps it for what it lacks: our extra
casts (`llvm.fptosi`, `llvm.addrspacecast`, ...), fast-math flags on intrinsic calls,
function linkage, the alignment, address space and zero initializer of globals, and
`loop.annotations` on a loop's back edge, which become `!llvm.loop` metadata
(`llvm.loop.unroll.count`, `llvm.loop.vectorize.width`).
"""

from __future__ import annotations

from collections.abc import Callable, Set

import llvmlite.ir as ir
from xdsl.backend.llvm import convert as xdsl_convert
from xdsl.backend.llvm import convert_op as xdsl_ops
from xdsl.backend.llvm.convert_op import convert_op as xdsl_convert_op
from xdsl.backend.llvm.convert_op import create_constant
from xdsl.backend.llvm.convert_type import convert_type
from xdsl.dialects import llvm
from xdsl.dialects.builtin import ArrayAttr, DenseIntOrFPElementsAttr, ModuleOp
from xdsl.ir import Block, Operation, SSAValue

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import llvm_extra
from ziggurat.dialects.loop import ANNOTATIONS, UnrollAttr, VectorizeAttr
from ziggurat.elements import dense_to_array

CASTS = {
    llvm_extra.FPToSIOp: "fptosi",
    llvm_extra.FPToUIOp: "fptoui",
    llvm_extra.UIToFPOp: "uitofp",
    llvm_extra.AddrSpaceCastOp: "addrspacecast",
}


# Constants above this size are not spelled in the IR text: formatting and parsing millions
# of weights as text takes minutes (a ResNet's weights). They are declared, and the loader
# says where their bytes are (jit.load_objects): a copy, or the cache entry itself, mapped;
# see `translate(..., contents=...)`.
LARGE_CONSTANT_BYTES = 4096


def translate(
    module: ModuleOp,
    triple: str = "",
    data_layout: str = "",
    contents: dict[str, bytes] | None = None,
    declared: Set[str] = frozenset(),
    large: int = LARGE_CONSTANT_BYTES,
) -> ir.Module:
    """The llvmlite module for an llvm-dialect module. With `contents`, constant globals of
    more than `large` bytes are only declared and their bytes are put in `contents` by name,
    for the caller to place and name when it loads the module. The globals named in
    `declared` are only declared: another module defines them."""
    target = ir.Module()
    if triple:
        target.triple = triple
    if data_layout:
        target.data_layout = data_layout
    functions: list[llvm.FuncOp] = []
    for op in module.ops:
        if isinstance(op, llvm.GlobalOp) and op.sym_name.data in declared:
            declare_global(op, target)
        elif isinstance(op, llvm.GlobalOp):
            translate_global(op, target, contents, large)
        elif isinstance(op, llvm.FuncOp):
            functions.append(op)
        else:
            raise ZigguratError(f"'{op.name}' cannot be translated to LLVM IR", op)
    for op in functions:
        xdsl_convert._declare_func(op, target)
        if op.body.blocks and op.linkage.linkage.data != "external":
            target.get_global(op.sym_name.data).linkage = op.linkage.linkage.data
    for op in functions:
        if op.body.blocks:
            translate_function(op, target)
    return target


def translate_global(
    op: llvm.GlobalOp,
    target: ir.Module,
    contents: dict[str, bytes] | None = None,
    large: int = LARGE_CONSTANT_BYTES,
) -> None:
    raw = large_constant(op, large) if contents is not None else None
    if contents is not None and raw is not None:
        # Placed by the loader: external and writable, so LLVM assumes nothing of it.
        declare_global(op, target)
        contents[op.sym_name.data] = raw
        return
    space = op.addr_space.value.data
    type = convert_type(op.global_type)
    variable = ir.GlobalVariable(target, type, name=op.sym_name.data, addrspace=space)
    if op.alignment is not None:
        variable.align = op.alignment.value.data
    if space and op.value is None and op.linkage.linkage.data == "external":
        return  # declared only, as a GPU's dynamic shared memory is (address space 3)
    if op.linkage.linkage.data != "external":
        variable.linkage = op.linkage.linkage.data
    variable.global_constant = op.constant is not None
    if op.value is None:
        # No initializer would make the variable a declaration of someone else's.
        variable.initializer = ir.Constant(type, None)
    else:
        variable.initializer = create_constant(op.global_type, op.value)


def declare_global(op: llvm.GlobalOp, target: ir.Module) -> None:
    """An external global another module defines; writable, as a large constant is."""
    variable = ir.GlobalVariable(target, convert_type(op.global_type), name=op.sym_name.data)
    if op.alignment is not None:
        variable.align = op.alignment.value.data


def large_constant(op: llvm.GlobalOp, large: int = LARGE_CONSTANT_BYTES) -> bytes | None:
    """The bytes of a constant global's dense initializer, if it has more than `large`."""
    value = op.value
    if op.constant is None or not isinstance(value, DenseIntOrFPElementsAttr):
        return None
    raw = dense_to_array(value).tobytes()  # a splat kept as one element, expanded
    return raw if len(raw) > large else None


def translate_function(op: llvm.FuncOp, target: ir.Module) -> None:
    function = target.get_global(op.sym_name.data)
    blocks: dict[Block, ir.Block] = {}
    values: dict[SSAValue, ir.Value] = {}
    for index, block in enumerate(op.body.blocks):
        blocks[block] = function.append_basic_block(name=block.name_hint or "")
        if index == 0:
            values.update(zip(block.args, function.args, strict=True))
        elif block.args:
            # Branches fill in the incoming values as they are translated.
            builder = ir.IRBuilder(blocks[block])
            for arg in block.args:
                values[arg] = builder.phi(convert_type(arg.type))
    for block in op.body.blocks:
        builder = ir.IRBuilder(blocks[block])
        if blocks[block].instructions:
            builder.position_after(blocks[block].instructions[-1])
        for inner in block.ops:
            translate_op(inner, builder, values, blocks)


def translate_constant(
    op: llvm.ConstantOp, builder: ir.IRBuilder, values: dict[SSAValue, ir.Value]
) -> None:
    values[op.result] = create_constant(op.result.type, op.value)


def translate_extract_value(
    op: llvm.ExtractValueOp, builder: ir.IRBuilder, values: dict[SSAValue, ir.Value]
) -> None:
    position = list(op.position.iter_values())
    values[op.res] = builder.extract_value(values[op.container], position)


def translate_insert_value(
    op: llvm.InsertValueOp, builder: ir.IRBuilder, values: dict[SSAValue, ir.Value]
) -> None:
    position = list(op.position.iter_values())
    values[op.res] = builder.insert_value(values[op.container], values[op.value], position)


def translate_store(
    op: llvm.StoreOp, builder: ir.IRBuilder, values: dict[SSAValue, ir.Value]
) -> None:
    """A store. Built without llvmlite's check that the address points to the value's
    type: it types a stack slot's or a global's address by what it holds, where LLVM's
    pointers (and the llvm dialect's) are opaque, so a vector store to a float slot is
    valid."""
    store = ir.instructions.StoreInstr(builder.block, values[op.value], values[op.ptr])
    store.align = op.alignment.value.data if op.alignment else None
    builder._insert(store)  # what builder.store does after its check


# xDSL's convert_op tries its cases in turn, an isinstance check each (slow: ops are ABCs),
# and reaches these, our most frequent ops (descriptors, constants, memory), late: they go
# straight to what it would call for them. A quarter less time translating.
DIRECT: dict[type[Operation], Callable[..., None]] = {
    llvm.ConstantOp: translate_constant,
    llvm.ExtractValueOp: translate_extract_value,
    llvm.InsertValueOp: translate_insert_value,
    llvm.LoadOp: xdsl_ops._convert_load,
    llvm.GEPOp: xdsl_ops._convert_getelementptr,
    llvm.CallOp: xdsl_ops._convert_call,
    llvm.AllocaOp: xdsl_ops._convert_alloca,
}


def translate_op(
    op: Operation,
    builder: ir.IRBuilder,
    values: dict[SSAValue, ir.Value],
    blocks: dict[Block, ir.Block],
) -> None:
    direct = DIRECT.get(type(op))
    if direct is not None:
        direct(op, builder, values)
    elif type(op) is llvm.StoreOp:
        translate_store(op, builder, values)
    elif type(op) in CASTS:
        cast = getattr(builder, CASTS[type(op)])
        values[op.results[0]] = cast(values[op.operands[0]], convert_type(op.results[0].type))
    elif isinstance(op, llvm_extra.FCmpOp):
        flag = llvm.FCmpPredicateFlag.from_int(op.predicate.value.data).value
        compare = builder.fcmp_ordered if flag[0] == "o" else builder.fcmp_unordered
        relation = {"eq": "==", "gt": ">", "ge": ">=", "lt": "<", "le": "<=", "ne": "!="}
        operator = relation.get(flag[1:], flag)  # "ord", "uno", "true" and "false" as they are
        values[op.results[0]] = compare(operator, values[op.lhs], values[op.rhs])
    elif isinstance(op, llvm_extra.SelectOp):
        values[op.res] = builder.select(values[op.cond], values[op.lhs], values[op.rhs])
    elif isinstance(op, llvm.CallIntrinsicOp):
        translate_intrinsic_call(op, builder, values)
    else:
        try:
            xdsl_convert_op(op, builder, values, blocks)
        except NotImplementedError as error:
            raise ZigguratError(f"cannot translate to LLVM IR: {error}", op) from None
        if isinstance(op, llvm.BrOp) and ANNOTATIONS in op.attributes:
            annotate_loop(builder, op.attributes[ANNOTATIONS])


def translate_intrinsic_call(
    op: llvm.CallIntrinsicOp, builder: ir.IRBuilder, values: dict[SSAValue, ir.Value]
) -> None:
    args = [values[arg] for arg in op.args]
    result = convert_type(op.ress.type) if op.ress is not None else ir.VoidType()
    name = op.intrin.data
    module = builder.module
    callee = module.globals.get(name) or ir.Function(
        module, ir.FunctionType(result, [a.type for a in args]), name=name
    )
    flags = [flag.value for flag in op.fastmathFlags.data]
    call = builder.call(callee, args, fastmath=flags)
    if op.ress is not None:
        values[op.ress] = call


def annotate_loop(builder: ir.IRBuilder, annotations: object) -> None:
    """Attach `!llvm.loop` metadata for unroll and vectorize hints to the back edge."""
    assert isinstance(annotations, ArrayAttr)
    module = builder.module
    i32 = ir.IntType(32)
    hints = []
    for annotation in annotations.data:
        if isinstance(annotation, UnrollAttr):
            hints.append([string(module, "llvm.loop.unroll.count"), i32(annotation.factor.data)])
        elif isinstance(annotation, VectorizeAttr):
            hints.append([string(module, "llvm.loop.vectorize.enable"), ir.IntType(1)(1)])
            hints.append([string(module, "llvm.loop.vectorize.width"), i32(annotation.width.data)])
    if not hints:
        return
    nodes = [module.add_metadata(hint) for hint in hints]
    # A loop ID is a distinct node whose first operand is itself.
    unique = string(module, f"ziggurat.loop.{len(module.metadata)}")
    loop = module.add_metadata([unique, *nodes])
    loop.operands = (loop, *nodes)
    builder.block.terminator.set_metadata("llvm.loop", loop)


def string(module: ir.Module, text: str) -> ir.MetaDataString:
    return ir.MetaDataString(module, text)


def wrapper_name(name: str) -> str:
    return f"_ziggurat_packed_{name}"


def add_packed_wrapper(module: ir.Module, name: str) -> str:
    """Define `_ziggurat_packed_<name>(ptr %cells, ptr %result)` calling `name` with argument
    i loaded from the 8-byte cell `cells[i]` and storing its result at `result`. Callers
    need no C ABI for structs, `i1` or `half`: every value travels through memory, and all
    arguments in one array. Returns the wrapper's name."""
    function = module.get_global(name)
    signature = function.function_type
    pointer = ir.PointerType()
    wrapper = ir.Function(
        module, ir.FunctionType(ir.VoidType(), [pointer, pointer]), name=wrapper_name(name)
    )
    builder = ir.IRBuilder(wrapper.append_basic_block())
    cells, result_slot = wrapper.args
    args = []
    for index, type in enumerate(signature.args):
        cell = builder.gep(cells, [ir.IntType(64)(index)], source_etype=ir.IntType(64))
        args.append(builder.load(cell, typ=type))
    result = builder.call(function, args)
    if not isinstance(signature.return_type, ir.VoidType):
        builder.store(result, result_slot)
    builder.ret_void()
    return wrapper.name
