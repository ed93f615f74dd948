"""The sample-archive generator's article templates (scripts/generate_sample_articles.py runs
them): logic only, the sentences are data under data/sample-archive/templates/."""
