"""Reports: load facts from the store, score them, and shape them for rendering.

Each report is a named tuple with `to_json()`, the stable machine-readable
form documented in README; the terminal rendering (render/) reads the same
object. The commands call the functions re-exported here.
"""

from engage_cli.reports.circles import (
    CircleLine,
    CircleTrend,
    ReviewPage,
    circle_trend,
    review_page,
)
from engage_cli.reports.contact import (
    CanAsk,
    ContactList,
    Explanation,
    Profile,
    can_ask,
    contact_lines,
    explain,
    profile,
)
from engage_cli.reports.exchange import (
    AskList,
    CardImport,
    Health,
    History,
    Inbox,
    Merged,
    ask_list,
    history,
    inbox,
    log_command,
)
from engage_cli.reports.lines import AskLine, ContactLine, Totals, ask_lines, entry_json
from engage_cli.reports.search import SearchResults, search
from engage_cli.reports.weekly import (
    BALANCE_LIMIT,
    GROUPINGS,
    Balance,
    Connector,
    Group,
    Neglected,
    NeglectLine,
    Review,
    Trend,
    Week,
    balance,
    neglected,
    review,
    trend,
    trend_report,
)

__all__ = [
    "BALANCE_LIMIT",
    "GROUPINGS",
    "AskLine",
    "AskList",
    "Balance",
    "CanAsk",
    "CardImport",
    "CircleLine",
    "CircleTrend",
    "Connector",
    "ContactLine",
    "ContactList",
    "Explanation",
    "Group",
    "Health",
    "History",
    "Inbox",
    "Merged",
    "NeglectLine",
    "Neglected",
    "Profile",
    "Review",
    "ReviewPage",
    "SearchResults",
    "Totals",
    "Trend",
    "Week",
    "ask_lines",
    "ask_list",
    "balance",
    "can_ask",
    "circle_trend",
    "contact_lines",
    "entry_json",
    "explain",
    "history",
    "inbox",
    "log_command",
    "neglected",
    "profile",
    "review",
    "review_page",
    "search",
    "trend",
    "trend_report",
]
