# SPDX-License-Identifier: Apache-2.0
"""User-facing errors of the converter.

Every failure the user can fix (bad file, bad option, unsupported model) is a ConvertError: the CLI
prints it as ONE line, `incept-convert: error: <message>`, and exits with code 2, no traceback.
Messages say what, where, and what to do. Anything else escaping is a bug in the converter.
"""


class ConvertError(Exception):
    """A failure the user can act on. `str(e)` is the single-line message."""

    def __init__(self, message: str):
        super().__init__(one_line(message))


class UnsupportedOp(ConvertError):
    """A node the converter cannot express in the incept format.

    `node` is anything with `.name` and `.op_type` (an ONNX NodeProto) or a plain label string.
    """

    def __init__(self, node, why: str):
        super().__init__(f"unsupported node {node_label(node)}: {why}")
        self.why = one_line(why)


def node_label(node) -> str:
    if isinstance(node, str):
        return node
    name = getattr(node, "name", "") or "<unnamed>"
    op_type = getattr(node, "op_type", None)
    return f"'{name}' ({op_type})" if op_type else f"'{name}'"


def one_line(text: str) -> str:
    """Collapses whitespace and newlines so a message always fits on one line."""
    return " ".join(str(text).split())


def short_reason(exc: BaseException, limit: int = 200) -> str:
    """First part of an exception's message, on one line, for wrapping library errors."""
    text = one_line(str(exc)) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
