"""The explorer's panes (one per module) and the view states they render."""
