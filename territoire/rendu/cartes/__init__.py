"""Maps: prepared once (:mod:`.preparation`), drawn as interactive HTML
(:mod:`.interactive`) or as static images (:mod:`.statique`)."""
