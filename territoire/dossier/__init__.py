"""The diagnosis workspace and its actor directory: the second layer of territoire.

- :mod:`.workspace` — the folder (``territoire.toml``, ``acteurs.csv``,
  ``relations.csv``, ``zones/``) and its settings;
- :mod:`.tables` — reading and writing tables the way spreadsheets write them;
- :mod:`.vocab` — the controlled vocabularies (families, types, domains, publics…);
- :mod:`.cellules`, :mod:`.couvertures` — parsing one cell (lists, dates, coverage);
- :mod:`.acteurs`, :mod:`.relations` — typed actors and relations with every problem
  found (:mod:`.problemes`);
- :mod:`.annuaire` — the parsed directory of a workspace, validation, filters;
- :mod:`.edition` — adding, changing and deleting actors and relations;
- :mod:`.echanges` — importing a directory from CSV, XLSX, GeoJSON or GeoPackage.
"""
