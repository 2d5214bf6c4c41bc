"""periodize benchmarks: speed and memory as ratios against baselines in the same run.

Run ``python -m benchmarks`` (``--quick`` for a smoke run). Results go to
``benchmarks/RESULTS.md`` and ``benchmarks/results.json``.
"""
