"""Pure analysis functions over pandas, GeoPandas, NetworkX and numpy objects.

Nothing here knows of storage, the web or the CLI: every function can be used from a notebook.
"""
