"""`make bench`: stage benchmarks on generated data, each beside a baseline measured in the same run.

Not part of the installed package; run from the checkout (`python -m benchmarks.bench_crawl`)."""
