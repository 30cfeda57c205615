"""The explorer's orchestration: plain objects the app holds (no widgets here).

`Workspace` (models, selection, jobs), `Questions` (the panes' questions in workers,
export), the bodies of background work (`jobs`, `trainer`) and the cache listing
(`catalogue`). Widgets never import this package; the app wires it to the panes.
"""
