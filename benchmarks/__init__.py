"""polyterm's benchmark suite: speed as ratios against baselines measured in the same run.

Run ``python -m benchmarks`` (everything, ~10 minutes) or ``python -m benchmarks --quick``
(a ~2-minute subset at smaller sizes); ``--only 1,2,5`` picks lines. Every line is the
median of repeated runs set against a baseline measured in the same process and run
(gensim, numpy, NLTK), so the figures hold on a noisy shared machine. Results are printed
as a table and written as JSON and markdown under ``benchmarks/results/`` together with
the machine's details (cores, numpy's BLAS, library versions).

Modules, one per benchmark group:

- :mod:`benchmarks.neighbours` — 1 neighbour queries vs gensim, 2 effective bandwidth;
- :mod:`benchmarks.dimensions` — 3 top/bottom-k of a dimension;
- :mod:`benchmarks.opening` — 4 opening a cached model vs gensim's loaders;
- :mod:`benchmarks.scale` — 5 a GoogleNews-sized synthetic model (in subprocesses);
- :mod:`benchmarks.corpus` — 6 reopening the tokenised Brown corpus vs NLTK;
- :mod:`benchmarks.sweep` — 7 a sweep of Brown models vs plain gensim;
- :mod:`benchmarks.align` — 8 aligning two models;
- :mod:`benchmarks.explorer` — 9 key-press latency (idle and while a model trains), 10
  event-loop stalls (Textual Pilot);
- :mod:`benchmarks.report_time` — 16 the README's worked report, cold and warm.

The shared machinery (configuration, timing, the run context) is in
:mod:`benchmarks.harness`; output in :mod:`benchmarks.report`; the command line in
:mod:`benchmarks.runner`. This package imports nothing heavy, so the subprocesses of
line 5 start clean.
"""
