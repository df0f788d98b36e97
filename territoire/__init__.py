"""territoire — diagnostic territorial pour le travail social.

Library first: reference geography (:mod:`territoire.referentiel`), territory
selection (:mod:`territoire.selection`), the actor directory, analyses, maps and
reports. The ``territoire`` command is a thin layer over it.
"""

__version__ = "0.1.0"
