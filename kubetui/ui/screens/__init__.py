"""Full screens and modal dialogs pushed over the main view."""
