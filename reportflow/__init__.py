"""reportflow: Chinese government work reports (PDF, scans, text) → validated numeric facts in DuckDB."""

__version__ = "0.1.0"
