"""``python -m benchmarks [--quick] [--only 1,2,...]``: see :mod:`benchmarks.runner`."""

from benchmarks.runner import main

raise SystemExit(main())
