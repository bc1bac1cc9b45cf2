"""Actions from the keyboard. What each action is, is declared once in
`kubetui.model.actions` (the module docstring there says how to add one); here: the steps
every action shares (`steps`), one flow per action with its dialogs (`flows`), the runner
that gates and dispatches them (`runner`), the key bindings and the one key dispatch
(`keys`), and the external editor (`editor`)."""
