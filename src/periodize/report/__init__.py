"""Rendering of results: text, Markdown, JSON and figures."""
