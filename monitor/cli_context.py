"""What every `gongkai` command shares (the config, the store, `--today`), in a module of its own
so the feature CLIs (alerts/cli.py, monitor/web/cli.py) need not import the main CLI above them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from monitor.config import Config, ConfigError, load_config


@dataclass
class Context:
    config_path: Path
    db_override: Path | None
    _config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load_config(self.config_path)
            except ConfigError as exc:
                for line in exc.messages:
                    click.echo(f"error: {line}", err=True)
                raise SystemExit(2) from None
        return self._config

    @property
    def db_path(self) -> Path:
        return self.db_override or self.config.database_path

    def db(self):
        from monitor.store import open_db

        return open_db(self.db_path)

    def today(self, value: str | None) -> date:
        return date.fromisoformat(value) if value else datetime.now(ZoneInfo(self.config.timezone)).date()


def _parse_today(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}") from None
    return value


today_option = click.option("--today", callback=_parse_today, metavar="YYYY-MM-DD",
                            help="Evaluate as of this date (default: today in the config's timezone).")
pass_ctx = click.make_pass_decorator(Context)
