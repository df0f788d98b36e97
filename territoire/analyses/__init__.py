"""Analyses: pure functions on (Geo)DataFrames, the fourth layer of territoire.

Coverage is a sparse matrix actors × communes (:mod:`.matrice`, shares of radii and
zone files in :mod:`.geometrie`); from it come the gaps (:mod:`.zones_blanches`),
the overlaps (:mod:`.chevauchements`), the boundaries that contradict each other
(:mod:`.decoupages`), the distances to services (:mod:`.distances`) and the density
of the offer (:mod:`.densite`). :mod:`.couverture` runs them all for a workspace;
:mod:`.contours` draws each actor's coverage as one polygon; :mod:`.reseau` analyses
the partnership network.

Nothing here imports click, folium, matplotlib, bokeh or nicegui (checked in CI by
import-linter): analyses return frames, the ``rendu`` layer shows them.
"""
