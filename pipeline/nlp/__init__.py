"""The extraction pipeline: spaCy components (one module each) assembled by config.cfg.

Importing this package loads nothing: spaCy and the components are imported when a pipeline is
built (`loader.load_pipeline`), so commands that only read the store never pay for them.
"""
