"""Data shipped with the application (demo answers, report template)."""
