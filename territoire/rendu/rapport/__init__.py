"""The diagnosis report: a document model (:mod:`.blocs`) filled section by section
(:mod:`.sections`, :mod:`.synthese`, with :mod:`.phrases`), then written as HTML,
DOCX and Markdown (:mod:`.formats`)."""
