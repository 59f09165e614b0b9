"""Executes parsed templates with Go text/template semantics.

Output is a list of segments, each remembering the template file and line that
wrote it and, when the text came from ``.Values``, the values position.  All
failures surface as ``TemplateError``; resource bounds (depth, output size,
wall time) are checked as we go so no template can hang or exhaust memory.
"""

from __future__ import annotations

import contextlib
import random
import time
from dataclasses import dataclass
from typing import Any, NamedTuple

from .ast import (
    ActionNode,
    BreakNode,
    ChainNode,
    CommandNode,
    ConstNode,
    ContinueNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    IfNode,
    NilNode,
    Node,
    PipeNode,
    RangeNode,
    TemplateNode,
    TextNode,
    Tree,
    VariableNode,
    WithNode,
)
from .errors import TemplateError
from .funcs_base import FuncError, FuncSpec
from .govalues import GoStruct, fmt_v, is_true, type_of
from .provenance import Origin, TrackedStr, child_origin, origin_of, tracked_str, with_origin

_MISSING: Any = object()


@dataclass
class Limits:
    max_depth: int = 64
    max_output_bytes: int = 20_000_000
    deadline: float = float("inf")  # a time.process_time() value: CPU time, not wall-clock time
    max_list_items: int = 100_000


class Segment(NamedTuple):
    text: str
    source: str
    line: int
    is_text: bool  # literal template text: its lines advance with its newlines
    origin: Origin | None
    line_origins: tuple[Origin | None, ...] | None


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Frame:
    """Execution state of one template invocation."""

    __slots__ = ("source", "vars", "out", "line")

    def __init__(self, source: str, data: Any, out: list[Segment]) -> None:
        self.source = source
        self.vars: list[tuple[str, Any]] = [("$", data)]
        self.out = out
        self.line = 0


class CallContext:
    """What a state-needing function (include, tpl, ...) can see of its caller."""

    def __init__(self, executor: Executor, frame: Frame, line: int) -> None:
        self.executor = executor
        self.frame = frame
        self.line = line


class Executor:
    def __init__(self, trees: dict[str, Tree], funcs: dict[str, FuncSpec], limits: Limits | None = None) -> None:
        self.trees = trees
        self.funcs = funcs
        self.limits = limits or Limits()
        self.depth = 0
        self.written = 0
        self.steps = 0
        self.field_origin: Origin | None = None
        self.rng = random.Random(0)  # random Sprig functions: seeded so renders are deterministic

    # -- entry points ---------------------------------------------------
    def execute(self, name: str, data: Any, source: str | None = None, line: int = 0) -> list[Segment]:
        """Run template ``name`` on ``data``; returns the output segments."""
        tree = self.trees.get(name)
        if tree is None:
            raise TemplateError(source or name, line or None, f'no template "{name}" associated with template set')
        out: list[Segment] = []
        self.enter(source or tree.source, line)
        try:
            self.walk(Frame(tree.source, data, out), tree.body, data)
        except (_Break, _Continue):
            pass
        except RecursionError:
            raise TemplateError(tree.source, None, "template nesting too deep", "limit") from None
        finally:
            self.depth -= 1
        return out

    def execute_to_string(self, name: str, data: Any, source: str, line: int) -> str:
        return segments_to_str(self.execute(name, data, source, line))

    def enter(self, source: str, line: int) -> None:
        self.depth += 1
        if self.depth > self.limits.max_depth:
            self.depth -= 1
            raise TemplateError(source, line or None, f"template nesting exceeds {self.limits.max_depth} levels (recursive include or tpl?)", "limit")

    def tick(self, frame: Frame, line: int) -> None:
        self.steps += 1
        if not self.steps & 127 and time.process_time() > self.limits.deadline:
            raise TemplateError(frame.source, line, "render time budget exceeded", "limit")

    def emit(self, frame: Frame, segment: Segment) -> None:
        self.written += len(segment.text)
        if self.written > self.limits.max_output_bytes:
            raise TemplateError(frame.source, segment.line, f"output exceeds {self.limits.max_output_bytes} bytes", "limit")
        frame.out.append(segment)

    # -- statements -----------------------------------------------------
    def walk(self, frame: Frame, nodes: list[Node], dot: Any) -> None:
        for node in nodes:
            kind = type(node)
            if kind is TextNode:
                assert isinstance(node, TextNode)
                self.emit(frame, Segment(node.text, frame.source, node.line, True, None, None))
                continue
            self.tick(frame, node.line)
            frame.line = node.line
            if kind is ActionNode:
                assert isinstance(node, ActionNode)
                self.field_origin = None
                value = self.eval_pipe(frame, dot, node.pipe)
                if not node.pipe.decl:
                    self.print_value(frame, value, node)
            elif kind is IfNode or kind is WithNode:
                assert isinstance(node, (IfNode, WithNode))
                mark = len(frame.vars)
                value = self.eval_pipe(frame, dot, node.pipe)
                if is_true(value):
                    self.walk(frame, node.body, value if kind is WithNode else dot)
                elif node.else_body is not None:
                    self.walk(frame, node.else_body, dot)
                del frame.vars[mark:]
            elif kind is RangeNode:
                assert isinstance(node, RangeNode)
                self.walk_range(frame, node, dot)
            elif kind is TemplateNode:
                assert isinstance(node, TemplateNode)
                data = self.eval_pipe(frame, dot, node.pipe) if node.pipe else None
                tree = self.trees.get(node.name)
                if tree is None:
                    raise TemplateError(frame.source, node.line, f'no such template "{node.name}"')
                self.enter(frame.source, node.line)
                try:
                    self.walk(Frame(tree.source, data, frame.out), tree.body, data)
                finally:
                    self.depth -= 1
            elif kind is BreakNode:
                raise _Break()
            elif kind is ContinueNode:
                raise _Continue()
            else:
                raise TemplateError(frame.source, node.line, f"unknown node {kind.__name__}")

    def walk_range(self, frame: Frame, node: RangeNode, dot: Any) -> None:
        mark = len(frame.vars)
        decl = node.pipe.decl
        value = self.eval_pipe(frame, dot, PipeNode([], False, node.pipe.cmds, node.pipe.line))
        if value is None:
            items: list[tuple[Any, Any]] = []
        elif isinstance(value, dict):
            items = [(k, value[k]) for k in sorted(value)]
        elif isinstance(value, (list, tuple)):
            items = list(enumerate(value))
        elif isinstance(value, GoStruct) and isinstance(value.entries, list):
            items = list(enumerate(value.entries))
        elif isinstance(value, GoStruct) and value.entries is not None:
            items = [(k, value.entries[k]) for k in sorted(value.entries)]
        elif isinstance(value, int) and not isinstance(value, bool):
            if value > self.limits.max_list_items:
                raise TemplateError(frame.source, node.line, f"range over {value} exceeds the iteration cap", "limit")
            items = [(i, i) for i in range(value)]
        else:
            raise TemplateError(frame.source, node.line, f"range can't iterate over {fmt_v(value)}")
        if not items:
            if node.else_body is not None:
                self.walk(frame, node.else_body, dot)
            return
        if node.pipe.is_assign:
            targets = decl
        else:
            frame.vars.extend((name, None) for name in decl)
            targets = []
        body_mark = len(frame.vars)
        int_range = isinstance(value, int)
        try:
            for key, elem in items:
                self.tick(frame, node.line)
                if decl:
                    if int_range and len(decl) == 1:
                        pairs = [(decl[0], key)]
                    elif len(decl) == 1:
                        pairs = [(decl[0], elem)]
                    else:
                        pairs = [(decl[0], key), (decl[1], elem)]
                    for name, val in pairs:
                        if targets:
                            self.set_var(frame, name, val, node.line)
                        else:
                            idx = body_mark - len(decl) + decl.index(name)
                            frame.vars[idx] = (name, val)
                with contextlib.suppress(_Continue):
                    self.walk(frame, node.body, elem)
                del frame.vars[body_mark:]
        except _Break:
            pass
        del frame.vars[mark:]

    def print_value(self, frame: Frame, value: Any, node: ActionNode) -> None:
        if value is None:
            text = "<no value>"
        elif isinstance(value, str):
            text = value
        elif callable(value) and not isinstance(value, GoStruct):
            raise TemplateError(frame.source, node.line, f"can't print value of type {type_of(value)}")
        else:
            text = fmt_v(value)
        origin = origin_of(value)
        if origin is None and self.field_origin is not None and _is_plain_reference(node.pipe):
            origin = self.field_origin
        line_origins = value.line_origins if isinstance(value, TrackedStr) else None
        self.emit(frame, Segment(text, frame.source, node.line, False, origin, line_origins))

    # -- expressions ----------------------------------------------------
    def eval_pipe(self, frame: Frame, dot: Any, pipe: PipeNode) -> Any:
        value = _MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(frame, dot, cmd, value)
        for name in pipe.decl:
            if pipe.is_assign:
                self.set_var(frame, name, value, pipe.line)
            else:
                frame.vars.append((name, value))
        return value

    def set_var(self, frame: Frame, name: str, value: Any, line: int) -> None:
        for i in range(len(frame.vars) - 1, -1, -1):
            if frame.vars[i][0] == name:
                frame.vars[i] = (name, value)
                return
        raise TemplateError(frame.source, line, f"undefined variable: {name}")

    def lookup_var(self, frame: Frame, name: str, line: int) -> Any:
        for var_name, value in reversed(frame.vars):
            if var_name == name:
                return value
        raise TemplateError(frame.source, line, f"undefined variable: {name}")

    def eval_command(self, frame: Frame, dot: Any, cmd: CommandNode, final: Any) -> Any:
        first = cmd.args[0]
        kind = type(first)
        if kind is FieldNode:
            assert isinstance(first, FieldNode)
            return self.eval_field_chain(frame, dot, dot, first.names, cmd.args, final, first.line)
        if kind is IdentifierNode:
            assert isinstance(first, IdentifierNode)
            return self.eval_function(frame, dot, first, cmd.args, final)
        if kind is VariableNode:
            assert isinstance(first, VariableNode)
            value = self.lookup_var(frame, first.name, first.line)
            if first.names:
                return self.eval_field_chain(frame, dot, value, first.names, cmd.args, final, first.line)
            self.not_a_function(frame, cmd.args, final)
            return value
        if kind is ChainNode:
            assert isinstance(first, ChainNode)
            receiver = self.eval_arg(frame, dot, first.node)
            return self.eval_field_chain(frame, dot, receiver, first.names, cmd.args, final, first.line)
        self.not_a_function(frame, cmd.args, final)
        return self.eval_arg(frame, dot, first)

    def not_a_function(self, frame: Frame, args: list[Node], final: Any) -> None:
        if len(args) > 1 or final is not _MISSING:
            raise TemplateError(frame.source, args[0].line, "can't give argument to non-function")

    def eval_arg(self, frame: Frame, dot: Any, node: Node) -> Any:
        kind = type(node)
        if kind is ConstNode:
            assert isinstance(node, ConstNode)
            return node.value
        if kind is FieldNode:
            assert isinstance(node, FieldNode)
            return self.eval_field_chain(frame, dot, dot, node.names, [node], _MISSING, node.line)
        if kind is VariableNode:
            assert isinstance(node, VariableNode)
            value = self.lookup_var(frame, node.name, node.line)
            if node.names:
                return self.eval_field_chain(frame, dot, value, node.names, [node], _MISSING, node.line)
            return value
        if kind is DotNode:
            return dot
        if kind is NilNode:
            return None
        if kind is PipeNode:
            assert isinstance(node, PipeNode)
            return self.eval_pipe(frame, dot, node)
        if kind is IdentifierNode:
            assert isinstance(node, IdentifierNode)
            return self.eval_function(frame, dot, node, [node], _MISSING)
        if kind is ChainNode:
            assert isinstance(node, ChainNode)
            receiver = self.eval_arg(frame, dot, node.node)
            return self.eval_field_chain(frame, dot, receiver, node.names, [node], _MISSING, node.line)
        raise TemplateError(frame.source, getattr(node, "line", None), f"can't evaluate {kind.__name__}")

    def eval_field_chain(self, frame: Frame, dot: Any, receiver: Any, names: list[str], args: list[Node],
                         final: Any, line: int) -> Any:
        """Go distinguishes a nil *start* (a pipeline, variable or dot that is nil: the chain
        yields nil, which is why ``(.Values.a).b`` is safe) from a nil met *inside* the chain
        (``.Values.a.b`` with ``a`` missing: "nil pointer evaluating")."""
        if receiver is None:
            return None
        for name in names[:-1]:
            receiver = self.eval_field(frame, dot, receiver, name, [], _MISSING, line)
        return self.eval_field(frame, dot, receiver, names[-1], args, final, line)

    def eval_field(self, frame: Frame, dot: Any, receiver: Any, name: str, args: list[Node], final: Any, line: int) -> Any:
        has_args = len(args) > 1 or final is not _MISSING
        if isinstance(receiver, dict):
            if has_args:
                raise TemplateError(frame.source, line, f"{name} is not a method but has arguments")
            self.field_origin = child_origin(receiver, name)
            return receiver.get(name)
        if isinstance(receiver, GoStruct):
            method = receiver.methods.get(name)
            if method is not None:
                argv = [self.eval_arg(frame, dot, a) for a in args[1:]]
                if final is not _MISSING:
                    argv.append(final)
                try:
                    return method(*argv)
                except FuncError as exc:
                    raise TemplateError(frame.source, line, f"error calling {name}: {exc}") from None
                except TypeError:
                    raise TemplateError(frame.source, line, f"wrong number of args for {name}: got {len(argv)}") from None
            if name in receiver.fields:
                if has_args:
                    raise TemplateError(frame.source, line, f"{name} has arguments but cannot be invoked as function")
                return receiver.fields[name]
            raise TemplateError(frame.source, line, f"can't evaluate field {name} in type {receiver.type_name}")
        if receiver is None:
            raise TemplateError(frame.source, line, f"nil pointer evaluating interface {{}}.{name}")
        raise TemplateError(frame.source, line, f"can't evaluate field {name} in type {type_of(receiver)}")

    def eval_function(self, frame: Frame, dot: Any, node: IdentifierNode, args: list[Node], final: Any) -> Any:
        name = node.name
        if name == "and" or name == "or":
            return self.eval_and_or(frame, dot, name, args, final)
        fspec = self.funcs[name]
        argv = [self.eval_arg(frame, dot, a) for a in args[1:]]
        if final is not _MISSING:
            argv.append(final)
        if len(argv) < fspec.min_args or (fspec.max_args is not None and len(argv) > fspec.max_args):
            want = fspec.min_args if fspec.max_args == fspec.min_args else f"at least {fspec.min_args}"
            raise TemplateError(frame.source, node.line, f"wrong number of args for {name}: want {want} got {len(argv)}")
        try:
            if fspec.needs_state:
                result = fspec.fn(CallContext(self, frame, node.line), *argv)
            else:
                result = fspec.fn(*argv)
        except FuncError as exc:
            message = str(exc) if type(exc).__name__ == "UserFailure" else f"error calling {name}: {exc}"
            raise TemplateError(frame.source, node.line, message) from None
        except (RecursionError, TemplateError):
            raise
        except Exception as exc:  # a bug or an unexpected input in a function: still a located error
            raise TemplateError(frame.source, node.line, f"error calling {name}: {exc}") from None
        if isinstance(result, (str, bytes)) and len(result) > self.limits.max_output_bytes:
            # a value that could never be written (`quote` nested thirty deep doubles each time)
            raise TemplateError(frame.source, node.line,
                                f"{name} made a value over the {self.limits.max_output_bytes}-byte output limit", "limit")
        if fspec.keeps_origin and isinstance(result, (str, int, float)) and origin_of(result) is None:
            for arg in reversed(argv):
                origin = origin_of(arg)
                if origin is not None:
                    return with_origin(result, origin)
        return result

    def eval_and_or(self, frame: Frame, dot: Any, name: str, args: list[Node], final: Any) -> Any:
        """Go 1.18+: evaluate left to right, stop at the first decisive operand, return it."""
        operands: list[Any] = list(args[1:])
        if final is not _MISSING:
            operands.append(final)
        if not operands:
            raise TemplateError(frame.source, args[0].line, f"wrong number of args for {name}: want at least 1 got 0")
        value: Any = None
        for i, operand in enumerate(operands):
            value = self.eval_arg(frame, dot, operand) if i < len(args) - 1 else operand
            if is_true(value) != (name == "and"):
                return value
        return value


def _is_plain_reference(pipe: PipeNode) -> bool:
    """True for ``{{ .a.b }}`` / ``{{ $x.a }}``: the printed value is the last field read."""
    if len(pipe.cmds) != 1 or len(pipe.cmds[0].args) != 1:
        return False
    node = pipe.cmds[0].args[0]
    return isinstance(node, (FieldNode, ChainNode)) or (isinstance(node, VariableNode) and bool(node.names))


def segments_to_str(segments: list[Segment]) -> str:
    """Join output; keep values origins per line so ``include ... | nindent`` still maps."""
    text = "".join(s.text for s in segments)
    if not any(s.origin or s.line_origins for s in segments):
        return text
    origins = [values_origin for _tpl, values_origin in map_lines(segments)]
    return tracked_str(text, None, tuple(origins))


def map_lines(segments: list[Segment]) -> list[tuple[tuple[str, int], Origin | None]]:
    """For each output line: (template file, line) that wrote it and its values origin.

    A line belongs to the first segment that puts non-blank text on it; literal
    text advances its line number with each newline, an action's output stays on
    the action's line. Its values origin is that of the last value written on it.
    """
    result: list[tuple[tuple[str, int], Origin | None]] = []
    where: tuple[str, int] | None = None
    where_solid = False
    values: Origin | None = None
    for seg in segments:
        pieces = seg.text.split("\n")
        for k, piece in enumerate(pieces):
            if k:
                result.append((where or (seg.source, seg.line), values))
                where, where_solid, values = None, False, None
            solid = bool(piece.strip())
            here = (seg.source, seg.line + k if seg.is_text else seg.line)
            if where is None or (solid and not where_solid):
                where, where_solid = here, solid
            if solid:
                lo = seg.line_origins
                origin = lo[k] if lo is not None and k < len(lo) and lo[k] is not None else seg.origin
                values = origin or values  # the last value on a line is the specific one (`repo:tag`)
    if segments:
        last = segments[-1]
        result.append((where or (last.source, last.line), values))
    return result
