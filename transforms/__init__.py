"""Pure transforms: functions over strings, lists and polars frames.

No Prefect, no file system, no environment variables in this package; ``flows/`` calls it.
"""
