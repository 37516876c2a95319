"""config.yaml: schema (docs/design.md §3), validation with file:line:field errors, resolved columns.

YAML is read with ruamel (YAML 1.2: `02:30` stays a string, no octal surprises) in round-trip
mode so every pydantic error can be mapped back to the line it came from. Unknown keys are
errors; secrets never live here (only the *names* of environment variables that hold them).
"""
from __future__ import annotations

import ipaddress
import os
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ByteSize, ConfigDict, Field, ValidationError, field_validator, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer, ComposerError
from ruamel.yaml.error import MarkedYAMLError

from monitor.categories import DEFAULT_CYCLES, Category, Cycle, cycle_key, infer_category
from monitor.kinds import DEFAULT_DEDUCTION, DEFAULT_DEDUCTIONS, check_name
from monitor.reports.deadlines import DEFAULT_DEADLINES, UNIT_TYPES, UnitType
from monitor.reports.limits import DEFAULT_LIMITS, Limits


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


EMAIL_PATTERN = r"^$|^[^@\s]+@[^@\s]+$"
#: `${VARIABLE}` in a notify URL: replaced by the environment variable when a message is sent
NOTIFY_PLACEHOLDER = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


def _check_notify(value: str) -> str:
    """An apprise URL (`wecombot://${WECOM_KEY}`); secrets come from `${VARIABLE}` placeholders,
    resolved from the environment when a message is sent (alerts/channels/webhook.py)."""
    if not value:
        return value
    if not re.fullmatch(r"[a-z][a-z0-9+.-]*://\S+", value):
        raise ValueError("notify should be an apprise URL such as wecombot://${WECOM_KEY}")
    if "$" in NOTIFY_PLACEHOLDER.sub("", value):
        raise ValueError("a $ in a notify URL must start a ${VARIABLE} placeholder (A-Z, 0-9, _)")
    return value


NotifyUrl = Annotated[str, AfterValidator(_check_notify)]


class Recipient(_Strict):
    """One way to reach someone: an e-mail address, an apprise URL for a group chat bot
    (WeCom, DingTalk, Feishu …), or both; each is sent its own copy."""

    name: str = ""
    email: str = Field(default="", pattern=EMAIL_PATTERN)
    notify: NotifyUrl = ""


class _Listed(Recipient):
    """An entry of `recipients`: it has to reach someone."""

    @model_validator(mode="after")
    def _has_an_address(self) -> "_Listed":
        if not (self.email or self.notify):
            raise ValueError("give an email, a notify URL or both")
        return self


class _Reachable(Recipient):
    """The old single-address form (`name`, `email`) plus `notify` and further `recipients`."""

    recipients: list[_Listed] = []

    def all_recipients(self) -> list[Recipient]:
        """This entry itself (when it has an address) and its `recipients`, unnamed ones under its name."""
        own = [Recipient(name=self.name, email=self.email, notify=self.notify)] if self.email or self.notify else []
        return own + [r if r.name else r.model_copy(update={"name": self.name}) for r in self.recipients]


class Contact(_Reachable):
    """A unit's liaison (联络员)."""


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
    type: UnitType = "department"
    contact: Contact = Contact()
    site: WebUrl | None = None
    columns: list[ColumnConfig] = []
    selectors: ListSelectors | None = Field(default=None, alias="list")
    crawl: CrawlOverride = CrawlOverride()
    discover: bool = True
    #: items a month this unit must publish (bulletin 信息发布情况); None: `rules.min_monthly_items` of its type
    min_monthly_items: int | None = Field(default=None, ge=0)
    #: its 政务咨询 / 领导信箱 / 留言 board (W7): short for a column of category `interaction`
    interaction: WebUrl | None = None

    @model_validator(mode="before")
    @classmethod
    def _interaction_column(cls, data: Any) -> Any:
        """`interaction: URL` is a configured column of category `interaction`, so the crawl, the store
        and the column checks treat the board as any other column."""
        url = data.get("interaction") if isinstance(data, dict) else None
        columns = list(data.get("columns") or []) if url else []
        if url and all((c.get("url") if isinstance(c, dict) else c.url) != url for c in columns):
            return {**data, "columns": [*columns, {"name": "互动交流", "url": url, "category": "interaction"}]}
        return data

    def takes_discovered(self, name: str) -> bool:
        """Whether a column discovery finds under `name` is monitored: every one but a message board
        of a unit that configures its board (`interaction:` always wins over discovery, W7)."""
        return column_category(None, name)[0] != "interaction" or not any(
            column_category(c, c.name)[0] == "interaction" for c in self.columns)

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
    #: the politeness window: how long a run may keep requesting from one host. What window / delay
    #: leaves after the host's list pages goes to item detail pages (crawler/detail.py), and what those
    #: leave to W12 link checks (crawler/links.py). 60: at the
    #: default 1 s delay that is 3,600 requests per host and run, which re-reads a 50-unit one-host
    #: county's recent items within 3 days (bench/README.md), and the crawl still ends in half of
    #: run_timeout_minutes, with room for slow answers and retries
    window_minutes: float = Field(default=60, gt=0)
    #: an explicit cap on item detail pages and link checks per site and day (edits, deletion, metadata,
    #: W12); 0: none; unset: only the window limits them
    detail_budget_per_site: int | None = Field(default=None, ge=0)
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
    """单项否决 thresholds per site (docs/rules.md §4.2)."""

    stale_key_columns: int = Field(default=5, ge=1)
    overdue_columns: int = Field(default=10, ge=1)
    blank_columns: int = Field(default=5, ge=1)


#: the county's annual-report deadlines unless `rules.report_deadlines` says otherwise: the
#: statutory dates, and 01-31 for townships (the 条例 sets them none)
REPORT_DEADLINES: dict[str, str] = {**DEFAULT_DEADLINES, "township": "01-31"}


class RulesConfig(_Strict):
    cycles: dict[str, str] = dict(DEFAULT_CYCLES)
    warn_days_before: int = Field(default=3, ge=0, le=60)
    report_deadlines: dict[str, str] = dict(REPORT_DEADLINES)
    rectify_workdays: int = Field(default=8, ge=1, le=60)
    #: W7: a message answered more than this many working days after it was asked is answered late
    reply_workdays: int = Field(default=5, ge=1, le=60)
    thresholds: Thresholds = Thresholds()
    #: W8: an item first seen with a date this many days before the previous crawl is back-dated
    backdate_tolerance_days: int = Field(default=7, ge=0, le=365)
    #: days a column's last successful read stays evidence for blank/undated/stale/due-soon
    #: (a read older than this — crawl killed, `--unit`, lost writes — leaves the column uncertain)
    max_observation_age: int = Field(default=2, ge=0, le=365)
    #: the publication standard: items a month per unit type (e.g. {department: 20, township: 10,
    #: government: 30}); a type not named has none (monitor/checks/publication.py)
    min_monthly_items: dict[Literal["department", "government", "township"], Annotated[int, Field(ge=0)]] = {}

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
            if key not in UNIT_TYPES:
                raise ValueError(f"unknown unit type {key!r}")
            if not re.fullmatch(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", str(text)):
                raise ValueError(f"deadline should be MM-DD, quoted (got {text!r})")
        return {**REPORT_DEADLINES, **v}


class Person(_Reachable):
    """The supervisor: receives the full bulletin (or a short notice on a webhook channel)."""

    name: str


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
    #: availability probes of the site pages and the county portal (W6) while `gongkai serve` runs;
    #: W6 needs ≥ 20 a day, so at most 72
    probe_minutes: int = Field(default=30, ge=1, le=72)


class DashboardConfig(_Strict):
    """Where `gongkai dashboard` / `serve` listen; loopback unless the operator opens it up."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    #: the address people open the dashboard at; webhook messages link to its pages
    url: WebUrl | None = None


class ScoringConfig(_Strict):
    """Per-unit score in the monthly bulletin: `base` minus deductions per violation by kind."""

    base: float = Field(default=100, gt=0)
    pass_score: float = Field(default=60, ge=0)
    default_deduction: float = Field(default=DEFAULT_DEDUCTION, ge=0)
    deductions: dict[str, float] = dict(DEFAULT_DEDUCTIONS)      # per kind (monitor/kinds.py)

    @field_validator("deductions")
    @classmethod
    def _deductions(cls, v: dict[str, float]) -> dict[str, float]:
        for kind, points in v.items():
            check_name(kind)
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


class LimitsConfig(_Strict):
    """Per stored report document (monitor/reports/limits.py): one over a limit is not parsed and
    its report is `uncertain` (附件过大，未解析). Sizes take units: `20 MB`, `50MiB`, or bytes."""

    pdf_pages: int = Field(default=DEFAULT_LIMITS.pdf_pages, ge=1)
    pdf_inflated_bytes: ByteSize = Field(default=ByteSize(DEFAULT_LIMITS.pdf_inflated_bytes), ge=1000)
    document_seconds: float = Field(default=DEFAULT_LIMITS.document_seconds, gt=0)
    document_bytes: ByteSize = Field(default=ByteSize(DEFAULT_LIMITS.document_bytes), ge=1000)
    archive_member_bytes: ByteSize = Field(default=ByteSize(DEFAULT_LIMITS.archive_member_bytes), ge=1000)
    archive_bytes: ByteSize = Field(default=ByteSize(DEFAULT_LIMITS.archive_bytes), ge=1000)

    def document_limits(self) -> Limits:
        return Limits(**self.model_dump())


DEFAULT_TIMEZONE = "Asia/Shanghai"


def county_today(timezone: str) -> date:
    """Today in the county's timezone (`timezone:`): the server's clock may run in another zone,
    and a run just after midnight belongs to the county's new day."""
    return datetime.now(ZoneInfo(timezone)).date()


class Config(_Strict):
    county: str
    supervisor: Person
    database: str = "data/gongkai.db"
    timezone: str = DEFAULT_TIMEZONE
    crawl: CrawlConfig = CrawlConfig()
    rules: RulesConfig = RulesConfig()
    smtp: SmtpConfig | None = None
    schedule: ScheduleConfig = ScheduleConfig()
    dashboard: DashboardConfig = DashboardConfig()
    bulletin: BulletinConfig = BulletinConfig()
    calendar: CalendarConfig = CalendarConfig()
    limits: LimitsConfig = LimitsConfig()
    units: list[UnitConfig] = Field(min_length=1)
    #: the county's portal home page (W1 首页不更新, a 单项否决); its findings go to the county's
    #: `government` unit (the first unit when there is none)
    county_portal: WebUrl | None = None

    #: directory of the config file; relative paths (database) resolve against it
    base_dir: Path = Field(default=Path("."), exclude=True)

    @property
    def portal_owner(self) -> UnitConfig:
        """The unit answering for the county portal: the county government, else the first unit."""
        return next((u for u in self.units if u.type == "government"), self.units[0])

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


class _AliasRefused(ComposerError):
    """Not a syntax error: the file is valid YAML, but uses a feature this config does not allow."""


class _NoAliasComposer(Composer):
    """Refuses anchors and aliases: an alias is a copy wherever it is used, so 1.7 kB of aliases of
    aliases (a "billion laughs") grow into gigabytes once the document is turned into plain data."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise _AliasRefused(None, None, "YAML anchors and aliases (&name, *name) are not allowed; "
                                            "write the values out", event.start_mark)
        return super().compose_node(parent, index)


def parse_config(text: str, *, name: str = "config.yaml", base_dir: Path | None = None) -> Config:
    yaml = YAML(typ="rt")
    yaml.Composer = _NoAliasComposer
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        what = "" if isinstance(exc, _AliasRefused) else "YAML syntax error: "
        raise ConfigError([f"{name}{line}: {what}{exc.problem or exc.context}"]) from None
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
