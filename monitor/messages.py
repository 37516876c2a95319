"""Messages of interaction boards in the store (W7 互动回应): each board's latest read, row by row.

A message is keyed by its page URL (else title and asked date) within its board, so a reply that
appears later updates the row; the rows of the board's latest read are those with its latest
`last_seen` (one write per read stamps them all alike).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sqlite_utils import Database

from monitor.store import in_list, utcnow


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    url: str | None
    asked: str                     # ISO date
    replied: str | None            # ISO date, when shown
    state: str | None              # replied | pending | None (the page does not say)


def record_messages(db: Database, unit_id: str, board: str, messages: list[Message]) -> None:
    now = utcnow()
    db.conn.executemany(
        """INSERT INTO messages (unit_id, board, url, title, asked, replied, state, first_seen, last_seen)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
           ON CONFLICT(board, url) DO UPDATE SET title = ?4, asked = ?5, last_seen = ?8,
             -- a reply date read from the message's own page stays when the list shows none
             replied = coalesce(?6, CASE WHEN ?7 IS NOT 'pending' THEN messages.replied END),
             state = coalesce(?7, CASE WHEN messages.replied IS NOT NULL THEN 'replied' END)""",
        [(unit_id, board, m.url or f"{m.title}|{m.asked}", m.title, m.asked, m.replied, m.state, now)
         for m in messages])


def record_reply(db: Database, board: str, url: str, replied: str) -> None:
    """The reply date a message's page shows (`crawler.messages.reply_date`): it was answered then."""
    db.execute("UPDATE messages SET replied = ?, state = 'replied' WHERE board = ? AND url = ?", [replied, board, url])


def latest_messages(db: Database, boards: Iterable[str]) -> dict[str, list[Message]]:
    """Board (column id) → the messages its latest read listed; a board never read as one is absent."""
    where, params = in_list("m.board", boards)
    rows = db.execute(
        f"""SELECT m.board, m.title, m.url, m.asked, m.replied, m.state FROM messages m
            JOIN (SELECT board, MAX(last_seen) AS seen FROM messages GROUP BY board) l
              ON l.board = m.board AND l.seen = m.last_seen
            WHERE {where} ORDER BY m.asked""", params).fetchall()
    out: dict[str, list[Message]] = {}
    for board, title, url, asked, replied, state in rows:
        out.setdefault(board, []).append(Message(title, None if url == f"{title}|{asked}" else url, asked, replied,
                                                 state))
    return out
