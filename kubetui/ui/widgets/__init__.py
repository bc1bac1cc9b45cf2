"""Widgets the app and its screens are built from."""
