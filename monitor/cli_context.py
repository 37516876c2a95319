"""What every `gongkai` command shares (the config, the store, `--today`), in a module of its own
so the feature CLIs (alerts/cli.py, monitor/web/cli.py) need not import the main CLI above them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from monitor.config import Config, ConfigError, county_today, load_config


@dataclass
class Context:
    config_path: Path
    db_override: Path | None
    _config: Config | None = None
    _locked: bool = False

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

    def db(self, *, write: bool = True):
        """The store for this command. A writing command first takes the store's run lock
        (monitor/lock.py) and holds it until the command ends, so no two writers — cron, the
        scheduler's jobs, a manual command — ever overlap; a reading one opens the store read-only."""
        from monitor.store import open_db, open_for_reading

        if not write:
            return open_for_reading(self.db_path)
        if not self._locked:
            from monitor.lock import run_lock

            click.get_current_context().with_resource(run_lock(self.db_path))
            self._locked = True
        return open_db(self.db_path)

    def today(self, value: str | None) -> date:
        return date.fromisoformat(value) if value else county_today(self.config.timezone)


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
