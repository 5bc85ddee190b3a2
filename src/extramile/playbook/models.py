"""Models: see the app's docstring."""
