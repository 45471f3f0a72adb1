"""The one exception type for mistakes a user can make, and how entry points report it.

A `ZigguratError` carries where the mistake is: an IR location (file:line:col), an ONNX
node name, or a tuning task and configuration. Entry points print it as
`LOCATION: error: MESSAGE` on stderr and exit non-zero; a traceback means a bug of ours.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import ParamSpec

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


P = ParamSpec("P")

SIGPIPE_EXIT = 128 + 13


def closing_pipes_quietly(entry: Callable[P, int]) -> Callable[P, int]:
    """Make an entry point end quietly when its reader goes away (`ziggurat compile m.onnx
    | head`): the exit status a shell gives a command killed by SIGPIPE, no traceback."""

    @functools.wraps(entry)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> int:
        try:
            status = entry(*args, **kwargs)
            sys.stdout.flush()
            return status
        except BrokenPipeError:
            # Python flushes stdout again at exit; point it at /dev/null so that flush
            # cannot fail too.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return SIGPIPE_EXIT

    return wrapped


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
