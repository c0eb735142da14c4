"""Orchestration: Prefect flows and thin tasks, file I/O, the CLI and the deployment."""
