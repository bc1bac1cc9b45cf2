"""The Textual side: the app (`app`), its screens (`screens/`), its widgets (`widgets/`)
and the action keys and flows (`actions/`). State that needs no drawing lives in
`kubetui.model`."""
