"""The last step of graph-to-te: every unsigned integer type becomes the signless one of its
width (ui8 -> i8), in function signatures, tensors, element values and constants, as MLIR's
`arith` wants; the bodies already chose their unsigned ops (scalars.py). A constant keeps
its bits (255 : ui8 becomes -1 : i8), and a cast that only changed the signedness goes.

    %y = te.compute "add" (%a, %b) ... : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
becomes
    %y = te.compute "add" (%a, %b) ... : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>

(In place, value by value: xDSL's TypeConversionPattern keeps a property that converts to
a falsy attribute, such as `0 : i8`, unconverted.)
"""

from __future__ import annotations

from xdsl.dialects import arith
from xdsl.dialects.builtin import (
    ArrayAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    Signedness,
)
from xdsl.ir import Attribute, ParametrizedAttribute
from xdsl.rewriter import Rewriter


def signless(attribute: Attribute) -> Attribute:
    """`attribute` with every unsigned integer type in it made signless."""
    if isinstance(attribute, IntegerType):
        if attribute.signedness.data == Signedness.UNSIGNED:
            return IntegerType(attribute.width.data)
        return attribute
    if isinstance(attribute, IntegerAttr) and isinstance(attribute.type, IntegerType):
        element = signless(attribute.type)
        if element is attribute.type:
            return attribute
        width, value = attribute.type.width.data, attribute.value.data
        return IntegerAttr(value - 2**width if value >= 2 ** (width - 1) else value, element)
    if isinstance(attribute, ArrayAttr):
        items = [signless(item) for item in attribute.data]
        changed = any(a is not b for a, b in zip(items, attribute.data, strict=True))
        return ArrayAttr(items) if changed else attribute
    if isinstance(attribute, ParametrizedAttribute):
        parameters = [signless(p) for p in attribute.parameters]
        if all(a is b for a, b in zip(parameters, attribute.parameters, strict=True)):
            return attribute
        return type(attribute).new(parameters)
    return attribute


def make_signless(module: ModuleOp) -> None:
    """Replace unsigned integer types by signless ones throughout `module`."""
    for op in list(module.walk()):
        for region in op.regions:
            for block in region.blocks:
                for arg in block.args:
                    if (converted := signless(arg.type)) is not arg.type:
                        Rewriter.replace_value_with_new_type(arg, converted)
        for result in op.results:
            if (converted := signless(result.type)) is not result.type:
                Rewriter.replace_value_with_new_type(result, converted)
        for attributes in (op.properties, op.attributes):
            for name, value in attributes.items():
                if (converted := signless(value)) is not value:
                    attributes[name] = converted
        if isinstance(op, arith.BitcastOp) and op.input.type == op.result.type:
            op.result.replace_all_uses_with(op.input)
            Rewriter.erase_op(op)
