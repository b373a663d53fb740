"""The command line: thin Typer commands over the workspace. Run ``mobilise --help``."""
