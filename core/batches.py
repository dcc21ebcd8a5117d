"""The set-based work of the beat tasks, one committed batch at a time, and its continuation.

A task handles a bounded number of batches per message, then enqueues its own continuation with
a cursor (the last primary key it saw). A worker killed mid-batch loses only that batch's
uncommitted transaction: its message comes back (acks_late with reject_on_worker_lost, or the
broker's visibility timeout) and redoes it from the same cursor. Each row's change is decided
under its lock from its current state, so work already committed is found done and never
repeated.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet


class Claim:
    """Batches of rows locked for their transaction, in primary-key order after `after`; rows
    another worker holds are skipped (it is doing them), and each batch commits before the next
    one is claimed. With `batches`, stops after that many: `resume_after` then holds the cursor
    the next run starts from (None once nothing is left)."""

    def __init__(
        self,
        queryset: QuerySet[Any],
        batch_size: int,
        *,
        after: int = 0,
        batches: int | None = None,
        columns: Sequence[str] = (),
    ) -> None:
        self.queryset = queryset
        # Rows of these columns (the primary key first) instead of models, when given.
        self.columns = tuple(columns)
        self.batch_size = batch_size
        self.after = after
        self.batches = batches
        self.resume_after: int | None = None

    def __iter__(self) -> Iterator[list[Any]]:
        last, count = self.after, 0
        while True:
            with transaction.atomic():
                claimed = (
                    self.queryset.filter(pk__gt=last)
                    .select_for_update(skip_locked=True, of=("self",))
                    .order_by("pk")
                )
                if self.columns:
                    claimed = claimed.values_list(*self.columns)
                batch: list[Any] = list(claimed[: self.batch_size])
                if not batch:
                    self.resume_after = None
                    return
                yield batch
                _pause_for_fault_tests()
            last, count = (batch[-1][0] if self.columns else batch[-1].pk), count + 1
            if len(batch) < self.batch_size:
                self.resume_after = None  # the last rows (those locked are another's to do)
                return
            # Stopping here, between two transactions, never inside one: a generator closed
            # while suspended at its `yield` would roll the batch back.
            if self.batches is not None and count >= self.batches:
                self.resume_after = last
                return


def _pause_for_fault_tests() -> None:
    """Tests only (TASK_BATCH_PAUSE_MS, 0 in production): holds each batch's transaction open a
    moment, so that a fault test can kill the worker while a batch is in progress."""
    if settings.TASK_BATCH_PAUSE_MS:
        time.sleep(settings.TASK_BATCH_PAUSE_MS / 1000)


def enqueue_continuation(task: Task, **kwargs: Any) -> None:
    """Sends the next message of a batch task, on the queue the current message came from (a
    worker consuming a queue of its own finishes its own work)."""
    queue = (task.request.delivery_info or {}).get("routing_key")
    if queue:
        task.apply_async(kwargs=kwargs, queue=queue)
    else:  # run eagerly (the demo, the tests): no queue to keep
        task.apply_async(kwargs=kwargs)
