"""Sources: actors known from outside the workspace, the third layer of territoire.

- :mod:`.institutions` — the institutions the reference data knows for a territory
  (town halls, EPCI, conseil départemental, préfecture, conseil régional);
- :mod:`.preremplissage` — a new workspace pre-filled from those sources, and the
  embedded demonstration workspace.
"""
