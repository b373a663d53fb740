"""The ground floor: records and vocabularies that every layer shares.

analysis, formats, store, workspace and the faces may all import this package; it imports nothing
of theirs (only :mod:`mobilise.errors`), and nothing heavy at import time, so the command line can
offer a vocabulary's choices without loading pandas or the database.

- :mod:`~mobilise.model.asset_vocab`: asset categories, statuses, taxonomies, field aliases
- :mod:`~mobilise.model.assets`: an asset as read from a file or feed
- :mod:`~mobilise.model.contribution_vocab`: kinds, statuses and field limits of residents'
  contributions
- :mod:`~mobilise.model.areas`: areas as read from a boundary file; the kinds of lookup
- :mod:`~mobilise.model.indicators`: indicators as read from a file; polarity
- :mod:`~mobilise.model.access_plan`: access methods, distance decays and the plan of a run
- :mod:`~mobilise.model.causal_map`: the systems map (factors, signed links, scenarios)
- :mod:`~mobilise.model.map_files`: the map file formats (names, labels, suffixes, media types)
- :mod:`~mobilise.model.partner_vocab`: sectors, collaboration levels, value and trust items
- :mod:`~mobilise.model.relationships`: partners and ties as read from a file
- :mod:`~mobilise.model.roles`: the roles of a workspace's users
- :mod:`~mobilise.model.presentation`, :mod:`~mobilise.model.network_words`: how figures and
  measures are put into words for people
"""
