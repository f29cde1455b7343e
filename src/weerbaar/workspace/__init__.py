"""The workspace: one folder with an SQLite database that every pipeline stage reads and writes."""

from weerbaar.workspace.db import DEFAULT_WORKSPACE, ENV_WORKSPACE, Workspace, resolve_workspace_path

__all__ = ["DEFAULT_WORKSPACE", "ENV_WORKSPACE", "Workspace", "resolve_workspace_path"]
