"""The engine: one run of a recipe (poll → filter → look up → map → deliver → store). Knows nothing of Qt."""
