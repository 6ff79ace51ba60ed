"""Drafts: templates and their sandbox, line wrapping, and the drafts kept in the store."""
