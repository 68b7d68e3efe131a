"""The screening engine on DuckDB: registry and feed snapshot (snapshot.py) → rules as SQL (rules.py) →
warnings written back in bulk (run.py)."""
