"""Thin Prefect task wrappers around the stage functions of reportflow (retries, caching, logging)."""
