"""config.yaml: schema (DESIGN §5), validation with file:line:field errors, resolved columns.

YAML is read with ruamel (YAML 1.2: `02:30` stays a string, no octal surprises) in round-trip
mode so every pydantic error can be mapped back to the line it came from. Unknown keys are
errors; secrets never live here (only the *names* of environment variables that hold them).
"""
from __future__ import annotations

import ipaddress
import os
import re
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from monitor.categories import DEFAULT_CYCLES, Cycle, cycle_key, infer_category

Category = Literal["dynamic", "notice", "policy", "personnel", "planning", "report", "static", "other"]


class ConfigError(Exception):
    """A config file that cannot be used; `messages` are `file:line: field: problem` lines."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise ValueError("URL scheme should be http or https")
    if not parts.netloc:
        raise ValueError("URL has no host")
    return value


def _check_cycle(value: Any) -> str:
    return str(Cycle.parse(str(value)))


def _check_hhmm(value: Any) -> str:
    text = str(value)
    if not re.fullmatch(r"\d{1,2}:\d{2}", text):
        raise ValueError("time should be HH:MM, quoted, e.g. \"02:30\"")
    time.fromisoformat(text.zfill(5))
    return text.zfill(5)


def _check_host(value: str) -> str:
    """A host name (lower case; crawler/hosts.py compares it as punycode) or an IP address."""
    host = value.strip().lower().rstrip(".").strip("[]")
    try:
        return ipaddress.ip_address(host).compressed
    except ValueError:
        pass
    if not re.fullmatch(r"[^\W_]([\w.-]*[^\W_])?", host):      # 中文域名 too
        raise ValueError("should be a host name such as www.example.gov.cn (no scheme, path or port)")
    return host


WebUrl = Annotated[str, AfterValidator(_check_url)]
CycleText = Annotated[str, BeforeValidator(_check_cycle)]
HHMM = Annotated[str, BeforeValidator(_check_hhmm)]


class Contact(_Strict):
    name: str = ""
    email: str = Field(default="", pattern=r"^$|^[^@\s]+@[^@\s]+$")


class ListSelectors(_Strict):
    """CSS selectors for a CMS the generic extractor does not understand."""

    item: str
    title: str = "a"
    date: str | None = None


class CrawlOverride(_Strict):
    delay_seconds: float | None = Field(default=None, ge=0)
    per_site_concurrency: int | None = Field(default=None, ge=1, le=16)


class ColumnConfig(_Strict):
    name: str = Field(min_length=1)
    url: WebUrl
    category: Category | None = None
    cycle: CycleText | None = None
    max_pages: int | None = Field(default=None, ge=1, le=50)


class UnitConfig(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    name: str = Field(min_length=1)
    type: Literal["department", "government", "township"] = "department"
    contact: Contact = Contact()
    site: WebUrl | None = None
    columns: list[ColumnConfig] = []
    selectors: ListSelectors | None = Field(default=None, alias="list")
    crawl: CrawlOverride = CrawlOverride()
    discover: bool = True

    @model_validator(mode="after")
    def _has_something_to_crawl(self) -> "UnitConfig":
        if not self.site and not self.columns:
            raise ValueError("a unit needs a site or at least one column")
        return self


class CrawlConfig(_Strict):
    user_agent: str = "gongkai-monitor/0.1 (+https://github.com/gongkai-monitor)"
    delay_seconds: float = Field(default=1.0, ge=0)
    per_site_concurrency: int = Field(default=2, ge=1, le=16)
    concurrency: int = Field(default=16, ge=1, le=256)
    #: crawl processes; more than 1 only helps when the CPU, not politeness, bounds a crawl
    #: (crawler/shards.py: a host's concurrency, delay and detail budget are divided among them)
    workers: int = Field(default=1, ge=1, le=16)
    timeout_seconds: float = Field(default=30, gt=0, le=600)
    retries: int = Field(default=3, ge=0, le=10)
    max_page_bytes: int = Field(default=5 * 1024 * 1024, ge=10_000)
    max_pages_per_column: int = Field(default=3, ge=1, le=50)
    obey_robots: bool = True
    autothrottle: bool = True
    run_timeout_minutes: int = Field(default=120, ge=1)
    #: detail pages of list items read per site and day (edits, deletion, metadata); 0: none
    detail_budget_per_site: int = Field(default=200, ge=0)
    #: items first seen within this many days are re-read (round-robin, within the budget) to catch edits
    detail_recheck_days: int = Field(default=30, ge=0)
    #: an item's detail page is read again (to catch edits) at most this often
    detail_reread_after_hours: float = Field(default=20, ge=0)
    #: hosts besides those of the units' sites and columns that requests (redirects, list items) may go
    #: to, for a county whose units span several hosts of one government (crawler/hosts.py)
    allowed_hosts: list[Annotated[str, AfterValidator(_check_host)]] = []
    #: consecutive connection failures (refused, DNS, timeout) after which a host is not asked again
    #: until one last try at the end of the run; 0: never give up on a host
    host_failure_limit: int = Field(default=5, ge=0)


class Thresholds(_Strict):
    """单项否决 thresholds per site (rules §4.2)."""

    stale_key_columns: int = Field(default=5, ge=1)
    overdue_columns: int = Field(default=10, ge=1)
    blank_columns: int = Field(default=5, ge=1)


class RulesConfig(_Strict):
    cycles: dict[str, str] = dict(DEFAULT_CYCLES)
    warn_days_before: int = Field(default=3, ge=0, le=60)
    report_deadlines: dict[str, str] = {"department": "01-31", "government": "03-31", "township": "01-31"}
    rectify_workdays: int = Field(default=8, ge=1, le=60)
    thresholds: Thresholds = Thresholds()
    #: W8: an item first seen with a date this many days before the previous crawl is back-dated
    backdate_tolerance_days: int = Field(default=7, ge=0, le=365)
    #: days a column's last successful read stays evidence for blank/undated/stale/due-soon
    #: (a read older than this — crawl killed, `--unit`, lost writes — leaves the column uncertain)
    max_observation_age: int = Field(default=2, ge=0, le=365)

    def cycle_for(self, category: str, override: str | None = None) -> Cycle | None:
        """The update cycle of a column of `category` (or its own `override`); None: no cycle."""
        if override:
            return Cycle.parse(override)
        text = self.cycles.get(cycle_key(category))
        return Cycle.parse(text) if text else None

    @field_validator("cycles")
    @classmethod
    def _cycles(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(DEFAULT_CYCLES))
        if unknown:
            raise ValueError(f"unknown category {unknown[0]!r}; cycles apply to {', '.join(DEFAULT_CYCLES)}")
        return {**DEFAULT_CYCLES, **{k: _check_cycle(c) for k, c in v.items()}}

    @field_validator("report_deadlines")
    @classmethod
    def _deadlines(cls, v: dict[str, str]) -> dict[str, str]:
        for key, text in v.items():
            if key not in ("department", "government", "township"):
                raise ValueError(f"unknown unit type {key!r}")
            if not re.fullmatch(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", str(text)):
                raise ValueError(f"deadline should be MM-DD, quoted (got {text!r})")
        return {"department": "01-31", "government": "03-31", "township": "01-31", **v}


class Person(_Strict):
    name: str
    email: str = Field(default="", pattern=r"^$|^[^@\s]+@[^@\s]+$")


class SmtpConfig(_Strict):
    host: str
    port: int = Field(default=465, ge=1, le=65535)
    ssl: bool = True
    starttls: bool = False
    username: str | None = None
    password_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    sender: str
    timeout_seconds: float = Field(default=30, gt=0)

    def password(self) -> str | None:
        """The SMTP password, read from the environment at the moment it is needed."""
        return os.environ.get(self.password_env) if self.password_env else None


class ScheduleConfig(_Strict):
    daily: HHMM = "02:30"
    bulletin_day: int = Field(default=1, ge=1, le=28)
    bulletin_time: HHMM = "08:00"


class DashboardConfig(_Strict):
    """Where `gongkai dashboard` / `serve` listen; loopback unless the operator opens it up."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)


#: Points deducted per open violation (result `fail`) of a kind; see alerts/scoring.py.
DEFAULT_DEDUCTIONS: dict[str, float] = {
    "column_stale": 3, "column_blank": 3, "column_undated": 2, "site_failing": 0,
    "report_missing": 20, "report_late": 5, "report_inconsistent": 5, "report_outdated_format": 3,
    "report_sections_missing": 3,
}


class ScoringConfig(_Strict):
    """Per-unit score in the monthly bulletin: `base` minus deductions per violation by kind."""

    base: float = Field(default=100, gt=0)
    pass_score: float = Field(default=60, ge=0)
    default_deduction: float = Field(default=2, ge=0)
    deductions: dict[str, float] = dict(DEFAULT_DEDUCTIONS)

    @field_validator("deductions")
    @classmethod
    def _deductions(cls, v: dict[str, float]) -> dict[str, float]:
        for kind, points in v.items():
            if not re.fullmatch(r"(column|site|report|item)_[a-z_]+", kind):
                raise ValueError(f"unknown finding kind {kind!r} (e.g. column_stale, report_missing)")
            if points < 0:
                raise ValueError(f"deduction for {kind} should not be negative")
        return {**DEFAULT_DEDUCTIONS, **v}


class BulletinConfig(_Strict):
    """The monthly 督查通报 and who receives it besides the supervisor and the liaisons."""

    issuer: str | None = None               # default: supervisor.name
    addressees: str = "各乡镇人民政府，县直各单位"
    cc: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]] = []
    all_clear: bool = False                 # send a short all-clear to liaisons with nothing to fix
    scoring: ScoringConfig = ScoringConfig()


class CalendarConfig(_Strict):
    """Corrections to the official holiday calendar, needed for years chinesecalendar lacks."""

    extra_holidays: list[date] = []
    extra_workdays: list[date] = []


class Config(_Strict):
    county: str
    supervisor: Person
    database: str = "data/gongkai.db"
    timezone: str = "Asia/Shanghai"
    crawl: CrawlConfig = CrawlConfig()
    rules: RulesConfig = RulesConfig()
    smtp: SmtpConfig | None = None
    schedule: ScheduleConfig = ScheduleConfig()
    dashboard: DashboardConfig = DashboardConfig()
    bulletin: BulletinConfig = BulletinConfig()
    calendar: CalendarConfig = CalendarConfig()
    units: list[UnitConfig] = Field(min_length=1)

    #: directory of the config file; relative paths (database) resolve against it
    base_dir: Path = Field(default=Path("."), exclude=True)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {v!r}") from None
        return v

    @field_validator("units")
    @classmethod
    def _unique_ids(cls, units: list[UnitConfig]) -> list[UnitConfig]:
        seen: set[str] = set()
        for index, unit in enumerate(units):
            if unit.id in seen:
                raise ValueError(f"duplicate unit id {unit.id!r} (units.{index}.id)")
            seen.add(unit.id)
        return units

    def unit(self, unit_id: str) -> UnitConfig:
        for unit in self.units:
            if unit.id == unit_id:
                return unit
        raise KeyError(unit_id)

    @property
    def database_path(self) -> Path:
        path = Path(self.database)
        return path if path.is_absolute() else self.base_dir / path

    def cycle_for(self, category: str, override: str | None = None) -> Cycle | None:
        """The update cycle that applies to a column, or None for categories without one."""
        return self.rules.cycle_for(category, override)


def column_category(column: ColumnConfig | None, name: str) -> tuple[str, str]:
    """(category, source): source is `config`, `inferred` or `default` (no keyword matched)."""
    if column is not None and column.category:
        return column.category, "config"
    category, matched = infer_category(name)
    return category, "inferred" if matched else "default"


# ---------------------------------------------------------------------------------------- loading

def load_config(path: str | Path) -> Config:
    """Read and validate a config file; raise ConfigError with `file:line: field: problem` lines."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    return parse_config(text, name=str(path), base_dir=path.resolve().parent)


def parse_config(text: str, *, name: str = "config.yaml", base_dir: Path | None = None) -> Config:
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError([f"{name}{line}: YAML syntax error: {exc.problem or exc.context}"]) from None
    if not isinstance(data, dict):
        raise ConfigError([f"{name}:1: the file should be a mapping of keys (county, supervisor, units …)"])
    try:
        return Config.model_validate({**_plain(data), "base_dir": base_dir or Path(".")})
    except ValidationError as exc:
        raise ConfigError([_describe(err, data, name) for err in exc.errors()]) from None


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _describe(err: dict[str, Any], root: Any, name: str) -> str:
    loc = [p for p in err["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))]
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = "unknown key"
        if loc and loc[-1] in ("password", "pass", "secret", "token"):
            message += "; secrets come from the environment: use password_env: VARIABLE_NAME"
    elif ("input" in err and err["type"] != "missing" and "(got" not in message
          and not isinstance(err["input"], (dict, list))):
        message += f" (got {err['input']!r})"
    field = ".".join(str(p) for p in loc) or "(top level)"
    return f"{name}:{_line_of(root, loc)}: {field}: {message}"


def _line_of(root: Any, loc: list[Any]) -> int:
    """1-based line of the deepest node of `loc` that exists in the YAML document."""
    node, line = root, 1
    for part in loc:
        try:
            if isinstance(node, dict) and part in node:
                line = node.lc.key(part)[0] + 1
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                line = node.lc.item(part)[0] + 1
                node = node[part]
            else:
                break
        except (AttributeError, KeyError, TypeError):
            break
    return line
