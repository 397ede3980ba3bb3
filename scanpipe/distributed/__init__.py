"""Scale-out: page-range tasks on Celery workers, coordinated through shared storage.

``executor.CeleryExecutor`` is the second ``scanpipe.executors.Executor``; it
runs the same task functions as the local pool. Messages carry only a task id
(``<sha256>/<first>-<last>``); the jobs, the worker's lease and the results
live in ``$SCANPIPE_HOME/work/<sha256>/tasks/`` on storage every machine mounts
(``taskstore``). Workers never touch the registry: the process that enqueued
the pages assembles and registers the file, as with the local pool
(DESIGN.md §1). docs/scale-out.md says how to deploy it.
"""
