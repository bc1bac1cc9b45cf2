"""What the views hold without drawing it; no Textual (tests/test_layers.py checks).

The connected session, the views and the feeds of their rows, the table's row model, the
log lines a log view keeps, the `:` command line, and the declared actions. `kubetui.ui`
draws these; they ask `kubetui.cluster` and `kubetui.render` for their data."""
