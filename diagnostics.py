"""The one exception type for mistakes a user can make, and how entry points report it.

A `ZigguratError` carries where the mistake is: an IR location (file:line:col), an ONNX
node name, or a tuning task and configuration. Entry points print it as
`LOCATION: error: MESSAGE` on stderr and exit non-zero; a traceback means a bug of ours.
"""

from __future__ import annotations

from xdsl.dialects.builtin import FileLineColLoc, LocationAttr, NameLoc, UnknownLoc
from xdsl.ir import Operation


class ZigguratError(Exception):
    """A user-caused error with the place it refers to."""

    def __init__(self, message: str, where: str | Operation | LocationAttr | None = None):
        super().__init__(message)
        self.message = message
        self.where = describe_location(where)

    def __str__(self) -> str:
        if self.where:
            return f"{self.where}: error: {self.message}"
        return f"error: {self.message}"


def describe_location(where: str | Operation | LocationAttr | None) -> str:
    """Render a location as `file:line:col`, or an empty string when unknown."""
    if where is None:
        return ""
    if isinstance(where, str):
        return where
    if isinstance(where, Operation):
        return describe_location(op_location(where))
    if isinstance(where, FileLineColLoc):
        return f"{where.filename.data}:{where.line.data}:{where.column.data}"
    if isinstance(where, NameLoc):
        # The importers name ops after their source: `node 'conv1' (Conv)`.
        return where.desc.data
    return ""


def op_location(op: Operation) -> LocationAttr:
    """The location of `op`, or of its nearest ancestor that has one."""
    current: Operation | None = op
    while current is not None:
        if not isinstance(current.location, UnknownLoc):
            return current.location
        current = current.parent_op()
    return UnknownLoc()
