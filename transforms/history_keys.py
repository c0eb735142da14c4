"""Moved to `transforms.dedup.history_keys`; this name stays for the flow's import."""

from transforms.dedup.history_keys import keys_to_register

__all__ = ["keys_to_register"]
