"""The network as a graph for other tools: Graphviz DOT and Mermaid, pure.

Nodes are contacts (an organisation drawn as a box), each with its sector;
edges are who brokered for whom (with how many entries) and who belongs to
which organisation (dashed). Names are people's text: each format's quoting
is applied, and control characters are shown, never written raw.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

from engage_cli.terminal import visible


class Node(NamedTuple):
    id: int
    name: str
    kind: str  # person, org or cause
    sector: str


class Line(NamedTuple):
    a: int
    b: int
    affiliation: bool  # a belongs to the organisation b; else a brokered for b
    times: int
    introduction: bool = False  # you introduced a and b


def _dot_quote(text: str) -> str:
    return '"' + visible(text, newlines=False).replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(nodes: Sequence[Node], lines: Sequence[Line]) -> Iterator[str]:
    """The graph in Graphviz's DOT language, a line at a time."""
    yield "graph engage {\n"
    yield "  node [shape=ellipse];\n"
    for n in nodes:
        shape = ", shape=box" if n.kind == "org" else ""
        sector = f", sector={_dot_quote(n.sector)}" if n.sector else ""
        yield f"  n{n.id} [label={_dot_quote(n.name)}{shape}{sector}];\n"
    for e in lines:
        if e.affiliation:
            yield f"  n{e.a} -- n{e.b} [style=dashed];\n"
        elif e.introduction:
            yield f'  n{e.a} -- n{e.b} [style=bold, label="introduced"];\n'
        else:
            yield f'  n{e.a} -- n{e.b} [label="{e.times}"];\n'
    yield "}\n"


def _mermaid_label(text: str) -> str:
    # Inside ["..."] Mermaid reads entity codes: quotes and markup characters as codes.
    out = visible(text, newlines=False)
    for ch, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        out = out.replace(ch, code)
    return f'["{out}"]'


def mermaid(nodes: Sequence[Node], lines: Sequence[Line]) -> Iterator[str]:
    """The graph as a Mermaid flowchart, a line at a time."""
    yield "graph LR\n"
    for n in nodes:
        label = _mermaid_label(n.name)
        yield f"  n{n.id}{label if n.kind != 'org' else '[' + label + ']'}\n"
    for e in lines:
        if e.affiliation:
            yield f"  n{e.a} -.- n{e.b}\n"
        elif e.introduction:
            yield f"  n{e.a} == introduced === n{e.b}\n"
        else:
            yield f"  n{e.a} -- {e.times} --- n{e.b}\n"
    sectors: dict[str, list[int]] = {}
    for n in nodes:
        if n.sector:
            sectors.setdefault(n.sector, []).append(n.id)
    for sector, ids in sorted(sectors.items()):
        yield f"  class {','.join(f'n{i}' for i in ids)} {sector}\n"
