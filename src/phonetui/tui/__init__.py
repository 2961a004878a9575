"""The Textual app: the only part of phonetui that imports Textual."""
