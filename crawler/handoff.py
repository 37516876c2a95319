"""What the crawl parent (monitor/crawl.py) hands each `python -m crawler.run` child: one JSON
document on the child's stdin.

The parent has loaded and validated the config, chosen the units, the date month-day list dates
are read against and the shard plan (crawler/shards.py); the child takes them as they are. So a
config file edited or removed meanwhile, or a clock passing midnight, cannot make the children of
one crawl disagree with their parent or each other, and a child cannot fail on a config its parent
accepted. The config holds no secrets (only the names of the environment variables holding them,
and `${VARIABLE}` placeholders), so the document may pass through a pipe.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from crawler.shards import plan_shards
from monitor.config import Config, UnitConfig


@dataclass(frozen=True)
class HandOff:
    """One child's crawl: the config, the store, the run, the date and its shard of the plan."""

    config: Config
    db_path: str
    run_id: int | None
    today: date
    units: list[UnitConfig]          # this child's shard, in config order
    split: dict[str, int]            # host → how many shards share it
    shards: int                      # how many children the crawl runs
    links: dict[str, tuple[int, int]] = field(default_factory=dict)   # host → its links' share (W12)

    def to_json(self) -> str:
        config = {**self.config.model_dump(mode="json", by_alias=True), "base_dir": str(self.config.base_dir)}
        return json.dumps({"config": config, "db": self.db_path, "run_id": self.run_id,
                           "today": self.today.isoformat(), "units": [u.id for u in self.units],
                           "split": self.split, "shards": self.shards,
                           "links": self.links})   # ASCII: whatever the child's locale

    @classmethod
    def from_json(cls, text: str) -> "HandOff":
        doc = json.loads(text)
        config = Config.model_validate(doc["config"])
        return cls(config, doc["db"], doc["run_id"], date.fromisoformat(doc["today"]),
                   [config.unit(u) for u in doc["units"]], doc["split"], doc["shards"],
                   {host: (place, of) for host, (place, of) in doc.get("links", {}).items()})


def hand_offs(config: Config, units: list[UnitConfig], *, db_path: Path | str, run_id: int | None,
              today: date, workers: int) -> list[HandOff]:
    """One hand-off per child: `units` planned over at most `workers` children."""
    shards = plan_shards(config, units, workers)
    return [HandOff(config, str(db_path), run_id, today, shard.units, shard.split, len(shards), shard.links)
            for shard in shards]
