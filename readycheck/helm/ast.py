"""Template syntax tree.  Every node carries the line it starts on, and trees
carry their template name, so the executor can locate output and errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias


@dataclass(slots=True)
class TextNode:
    text: str
    line: int


@dataclass(slots=True)
class DotNode:
    line: int


@dataclass(slots=True)
class NilNode:
    line: int


@dataclass(slots=True)
class ConstNode:
    """A literal: string, bool or number (``value`` is already a Python value)."""

    value: Any
    line: int


@dataclass(slots=True)
class IdentifierNode:
    """A function name."""

    name: str
    line: int


@dataclass(slots=True)
class FieldNode:
    """``.a.b`` evaluated against dot."""

    names: list[str]
    line: int


@dataclass(slots=True)
class VariableNode:
    """``$x.a.b``: ``name`` is ``$x``; ``names`` the trailing fields."""

    name: str
    names: list[str]
    line: int


@dataclass(slots=True)
class ChainNode:
    """``(pipeline).a.b``."""

    node: Node
    names: list[str]
    line: int


@dataclass(slots=True)
class CommandNode:
    args: list[Node]
    line: int


@dataclass(slots=True)
class PipeNode:
    decl: list[str]
    is_assign: bool
    cmds: list[CommandNode]
    line: int


@dataclass(slots=True)
class ActionNode:
    pipe: PipeNode
    line: int


@dataclass(slots=True)
class IfNode:
    pipe: PipeNode
    body: list[Node]
    else_body: list[Node] | None
    line: int


@dataclass(slots=True)
class WithNode:
    pipe: PipeNode
    body: list[Node]
    else_body: list[Node] | None
    line: int


@dataclass(slots=True)
class RangeNode:
    pipe: PipeNode
    body: list[Node]
    else_body: list[Node] | None
    line: int


@dataclass(slots=True)
class TemplateNode:
    name: str
    pipe: PipeNode | None
    line: int


@dataclass(slots=True)
class BreakNode:
    line: int


@dataclass(slots=True)
class ContinueNode:
    line: int


@dataclass(slots=True)
class Tree:
    """A parsed template: its name (e.g. ``mychart/templates/x.yaml``) and body."""

    name: str
    body: list[Node] = field(default_factory=list)
    source: str = ""  # the file it was parsed from; where its output and errors are located

    def is_empty(self) -> bool:
        return all(isinstance(n, TextNode) and not n.text.strip() for n in self.body)


Node: TypeAlias = (
    TextNode | DotNode | NilNode | ConstNode | IdentifierNode | FieldNode | VariableNode | ChainNode
    | CommandNode | PipeNode | ActionNode | IfNode | WithNode | RangeNode | TemplateNode | BreakNode | ContinueNode
)
