"""Rendering: what people see, the fifth layer of territoire.

- :mod:`.styles` — colours and symbols shared by every map and figure;
- :mod:`.cartes` — maps: what they show (:mod:`.cartes.preparation`), drawn as
  interactive HTML (:mod:`.cartes.interactive`) or static images
  (:mod:`.cartes.statique`);
- :mod:`.reseau` — the partner map and the interactive network page;
- :mod:`.rapport` — the diagnosis report: document model, sections, formats;
- :mod:`.console` — text for the terminal;
- :mod:`.exports` — the directory written to CSV, XLSX, GeoJSON or GeoPackage.
"""
