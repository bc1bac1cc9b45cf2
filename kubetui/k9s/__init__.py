"""k9s's own configuration files, read as k9s reads them: where they live (`locations`),
command aliases (`aliases`), hotkeys (`hotkeys`) and plugins (`plugins`, with k9s's
`$VARIABLE` substitution in `variables`).

Pure: no Textual, no cluster access. A malformed entry becomes a `Problem` naming the file
and the entry, never an exception, so that kubetui still starts with what could be read.
"""
