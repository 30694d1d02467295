"""Views of the web: warm paths to someone, and the network at a glance."""

from __future__ import annotations

from rich.text import Text

from engage_cli.dates import fmt_local
from engage_cli.render.common import Grid, charge, console, hang, status_text
from engage_cli.reports.network import ACTIVE_DAYS, Network, Paths
from engage_cli.terminal import cut


def paths(p: Paths) -> None:
    out = console()
    t = p.target
    out.print(Text(cut(f"Warm paths to {t.name}"), style="bold"))
    last = fmt_local(t.last_contact, False) if t.last_contact else "never"
    out.print(Text.assemble("  your own charge ", charge(t.charge), f", last contact {last}"))
    if not p.paths:
        said = (
            "nobody you know is linked to them yet: an introduction (engage intro A B), "
            "a --via on an entry or an organisation (engage edit NAME --org ORG) makes one"
        )
        out.print(hang("  ", said))
        return
    grid = Grid()
    for col, justify in (("#", "right"), ("through", "left"), ("charge", "right"),
                         ("last contact", "left"), ("status", "left")):  # fmt: skip
        grid.add_column(col, justify=justify, fit=col == "through")
    for i, path in enumerate(p.paths, 1):
        line = path.line
        grid.add_row(
            str(i),
            line.name,
            charge(line.charge),
            fmt_local(line.last_contact, False) if line.last_contact else "never",
            status_text(line.status),
        )
    out.print(grid.text())
    out.print()
    for i, path in enumerate(p.paths, 1):
        out.print(hang(f"  {i}. ", "; ".join(path.reasons)))
    if p.total > len(p.paths):
        out.print(Text(f"  … {p.total - len(p.paths)} more (--limit 0 shows all)", "dim"))


def network(n: Network) -> None:
    out = console()
    out.print(Text.assemble(("The network", "bold"), f"  (as of {fmt_local(n.as_of)})"))
    grid = Grid()
    for col, justify in (("sector", "left"), ("contacts", "right"),
                         (f"active {ACTIVE_DAYS}d", "right"), ("charge", "right")):  # fmt: skip
        grid.add_column(col, justify=justify)
    for s in n.sectors:
        grid.add_row(s.name, str(s.contacts), str(s.active), charge(s.charge))
    out.print(grid.text())
    out.print()
    if n.unheard:
        out.print(hang("Voices not heard: ", ", ".join(n.unheard), style="yellow"))
        out.print(Text(f"  (no relationship active in the last {ACTIVE_DAYS} days)", "dim"))
    else:
        out.print(f"Every sector has a relationship active in the last {ACTIVE_DAYS} days.")
    if n.bridges:
        out.print()
        out.print(Text("Bridges between sectors", style="bold"))
        bridges = Grid()
        for col, justify in (("contact", "left"), ("charge", "right"), ("sectors", "left")):
            bridges.add_column(col, justify=justify, fit=col != "charge")
        for b in n.bridges:
            bridges.add_row(b.name, charge(b.charge), ", ".join(b.sectors))
        out.print(bridges.text())
    if n.connectors:
        out.print()
        tops = ", ".join(f"{name} ({k})" for name, k in n.connectors)
        out.print(hang("Top connectors: ", tops))
