"""Everything that touches gensim, NLTK and the disk: corpora, training, files, the cache.

Nothing here imports Textual; the CLI and the explorer both sit on top of it.
"""
