"""Pure numpy/scipy analyses: nothing here imports gensim, Textual or rich."""
