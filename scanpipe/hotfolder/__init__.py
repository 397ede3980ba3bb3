"""Hot folders: a service above the pipeline that turns dropped scans into registered files.

It watches inboxes, waits for drops to be stable, claims each exactly once,
runs it through ``pipeline.convert`` (``runner.py``) and accounts for every
outcome: registered, duplicate, failed (the intake queue, ``review.py``) or
retried later. It sits above the pipeline and the registry and may import
both; nothing below it imports it (docs/architecture.md).
"""
