"""Views for people: rich text for reports (common, contact, weekly), plain lines (text).

Nothing is imported here, so that `render.text` (what `log` prints) never loads rich.
"""
