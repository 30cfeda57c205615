"""Frozen view states: what a pane (or a CLI command) shows, independent of any UI.

A view holds its inputs, the models with their manifest summaries and the result tables.
The explorer's widgets render it; `polyterm.views.markdown` renders the same object to
markdown and `to_json` to JSON, with no running app.
"""
