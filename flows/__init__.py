"""Prefect flows of reportflow."""
