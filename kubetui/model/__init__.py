"""View models: what the screens show, computed from the watch store; no Textual."""
