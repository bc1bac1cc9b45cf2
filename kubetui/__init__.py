"""kubetui: a terminal UI for Kubernetes.

The layers, bottom up (each imports only from the layers below it; tests/test_layers.py
holds the same list and enforces it):

    base -> render -> cluster -> model -> ui

- base: pure data and parsing every layer shares (`kinds`, `names`, `quantity`,
  `selectors`), and `collector` (the garbage collector paused over bulk work).
- render (`kubetui.render`): kubectl's columns, rows, describe and YAML text from plain
  objects; pure, no I/O, below cluster so that the sandbox can use it too.
- cluster (`kubetui.cluster`): kubeconfig, the HTTP client, the watch store, logs and the
  actions sent to a cluster.
- model (`kubetui.model`): what the views hold without drawing it: the session, views and
  their feeds, table rows, log lines, the declared actions.
- ui (`kubetui.ui`): Textual only: the app, screens/, widgets/, actions/. It never talks HTTP
  itself.

cluster, render and model import no Textual. The sandbox (`kubetui.sandbox`) sits beside
them all: it imports nothing of cluster, model or ui, and is reached only over HTTP.
`config` (settings) and `cli` (argument parsing, the one app factory's caller) are wiring.
"""
__version__ = "0.1.0"
