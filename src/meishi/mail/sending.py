"""Sending a batch: queue the drafts, then send everything queued (or only plan it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from meishi.mail import outbox
from meishi.mail.outbox import Planned, Queued, Sender, SendReport
from meishi.models import id_of
from meishi.store.engine import Store


@dataclass
class SendOutcome:
    """What a batch did: the drafts queued (or refused, with why), and the report or the plan."""

    queued: list[Queued]
    report: SendReport | None = None  # None for a dry run
    planned: list[Planned] | None = None  # only for a dry run


def send_drafts(
    store: Store,
    sender: Sender,
    draft_ids: list[int],
    dry_run: bool,
    now: dt.datetime,
    lock_dir: Path,
) -> SendOutcome:
    """Queue the drafts named and send only those; with none named, queue every pending
    thank-you and send everything queued."""
    if dry_run:
        skipped, planned = outbox.dry_run(store, draft_ids, sender.me, now)
        return SendOutcome(skipped, planned=planned)
    with store.write() as session:
        queued = outbox.enqueue(session, outbox.pending_drafts(session, draft_ids), sender.me, now)
    only = [id_of(q.message) for q in queued if q.message is not None] if draft_ids else None
    return SendOutcome(queued, report=outbox.send_queued(store, sender, lock_dir, only=only))


def retry(store: Store, sender: Sender, message_id: int, lock_dir: Path) -> SendReport:
    """Send one failed or unknown message again."""
    with store.write() as session:
        outbox.requeue(session, message_id)
    return outbox.send_queued(store, sender, lock_dir, only=[message_id])
