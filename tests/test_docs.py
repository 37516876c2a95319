"""The documentation is checked like code: the README's commands are the CLI's, its config example
parses, findings match `docs/findings.schema.json`, every `docs/… §N` the code cites exists, and
the test data cite their documents' origins rather than a development machine's paths."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from monitor.checks.columns import check_columns
from monitor.cli import cli
from monitor.config import parse_config
from monitor.findings import reconcile
from monitor.store import open_db
from tests.helpers import column, make_config
from tests.json_schema import errors, load_findings_schema

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced_block(text: str, heading: str, lang: str = "") -> str:
    """The first ```lang block after the Markdown heading that starts with `heading`."""
    section = re.search(rf"^#+ {re.escape(heading)}.*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section, f"no section {heading!r}"
    block = re.search(rf"^```{lang}\n(.*?)^```", section.group(1), re.M | re.S)
    assert block, f"no ```{lang} block under {heading!r}"
    return block.group(1)


# --- commands -------------------------------------------------------------------------------

def cli_commands() -> dict[tuple[str, ...], click.Command]:
    """Every command and subcommand of `gongkai` by path, lazily loaded ones included; () is the root."""
    found: dict[tuple[str, ...], click.Command] = {(): cli}

    def walk(group: click.Group, path: tuple[str, ...], ctx: click.Context) -> None:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, f"`gongkai {' '.join(path + (name,))}` is listed but cannot be loaded"
            found[path + (name,)] = command
            if isinstance(command, click.Group):
                walk(command, path + (name,), click.Context(command, parent=ctx, info_name=name))

    walk(cli, (), click.Context(cli, info_name="gongkai"))
    return found


def options_of(command: click.Command) -> set[str]:
    return {opt for p in command.params for opt in (*p.opts, *p.secondary_opts) if opt.startswith("-")}


def readme_commands(block: str, commands: dict[tuple[str, ...], click.Command]
                    ) -> dict[tuple[str, ...], list[str]]:
    """Each line of the README's command block as (command path, the options it shows). A line's
    synopsis ends where its description starts (two spaces); its path is the leading words that
    name commands."""
    shown: dict[tuple[str, ...], list[str]] = {}
    for line in block.splitlines():
        if not line.strip():
            continue
        synopsis = re.split(r"\s{2,}", line.strip())[0]
        words = synopsis.split()
        if words[0] == "gongkai":
            path: tuple[str, ...] = ()
        else:
            path = ()
            for word in words:
                if path + (word,) not in commands:
                    break
                path += (word,)
            assert path, f"README command line names no command: {line!r}"
        assert path not in shown, f"README lists `{' '.join(path)}` twice"
        shown[path] = re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", synopsis)
    return shown


def test_readme_commands_are_the_cli_commands():
    commands = cli_commands()
    shown = readme_commands(fenced_block(README, "Commands"), commands)
    leaves = {path for path, cmd in commands.items() if path and not isinstance(cmd, click.Group)}
    assert set(shown) - {()} == leaves, (
        f"in the CLI, not in the README: {sorted(leaves - set(shown))}; "
        f"in the README, not in the CLI: {sorted(set(shown) - leaves - {()})}")
    for path, options in shown.items():
        unknown = set(options) - options_of(commands[path])
        assert not unknown, f"README shows {sorted(unknown)} for `gongkai {' '.join(path)}`, which has no such option"


@pytest.mark.parametrize("path", sorted(cli_commands()), ids=lambda p: " ".join(p) or "gongkai")
def test_every_command_has_help(path: tuple[str, ...]):
    command = cli_commands()[path]
    assert (command.help or "").strip(), f"`gongkai {' '.join(path)}` has no help text"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output, result.output


def test_commands_named_in_the_docs_exist():
    """Every `gongkai …` in the README's text and examples and in docs/ names a real command."""
    commands = cli_commands()
    takes_value = {opt for p in cli.params if not getattr(p, "is_flag", False) and not getattr(p, "count", False)
                   for opt in p.opts}
    texts = [README.replace(fenced_block(README, "Commands"), ""),
             *(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))]
    named = 0
    for text in texts:
        for rest in re.findall(r"(?:^|[\s`]|bin/)gongkai((?: +[^\s`|>]+)+)", text, re.M):
            words = rest.split()
            while words and words[0].startswith("-"):
                words = words[2:] if words[0] in takes_value else words[1:]
            if not words or words[0].startswith(("[", "<")):
                continue
            named += 1
            assert (words[0],) in commands, f"the docs name `gongkai {words[0]}`, which is not a command"
    assert named >= 5


# --- config example -------------------------------------------------------------------------

def test_readme_config_example_is_a_valid_config():
    config = parse_config(fenced_block(README, "Describing a real county", "yaml"), name="README.md")
    unit = config.units[0]
    assert unit.site and unit.columns and unit.selectors, "the example shows site, columns and list selectors"
    assert config.smtp and config.smtp.password_env


# --- findings JSON --------------------------------------------------------------------------

SCHEMA = load_findings_schema()


def findings_printed(db_path: Path) -> list[dict]:
    result = CliRunner().invoke(cli, ["--db", str(db_path), "findings", "--format", "json", "--all"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def open_and_resolved(tmp_path: Path) -> list[dict]:
    """Findings of real checks over two days: one column stays stale, one is fixed (resolved)."""
    config = make_config()
    db = open_db(tmp_path / "g.db")
    stale = column("通知公告", url="http://127.0.0.1:9/xzspj/tzgg/", newest="2026-04-12")
    fixed = column("工作动态", url="http://127.0.0.1:9/xzspj/gzdt/", newest="2026-10-01")
    for day, cols in ((date(2026, 11, 26), [stale, fixed]),
                      (date(2026, 11, 27), [stale, column("工作动态", url=fixed.url, newest="2026-11-26")])):
        reconcile(db, check_columns(config, cols, day)[0], day)
    db.close()
    return findings_printed(tmp_path / "g.db")


def test_findings_schema_is_draft_2020_12():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["type"] == "array" and set(SCHEMA["items"]["required"]) == set(SCHEMA["items"]["properties"])


def test_printed_findings_match_the_schema(open_and_resolved):
    assert {f["status"] for f in open_and_resolved} == {"open", "resolved"}
    assert errors(open_and_resolved, SCHEMA) == []


@pytest.mark.parametrize("change, problem", [
    (lambda f: f.pop("result"), "missing 'result'"),
    (lambda f: f.update(note="x"), "unexpected key 'note'"),
    (lambda f: f.update(severity="urgent"), "'urgent' is not one of"),
    (lambda f: f.update(status="closed"), "'closed' is not one of"),
    (lambda f: f.update(result="pass"), "'pass' is not one of"),
    (lambda f: f["unit"].pop("name"), "$[0].unit: missing 'name'"),
    (lambda f: f.update(subject="通知公告"), "$[0].subject: expected object"),
    (lambda f: f.update(resolved_at="2026/11/27"), "does not match"),
    (lambda f: f.update(first_seen=None), "$[0].first_seen: expected string"),
    (lambda f: f.update(evidence=[]), "$[0].evidence: expected object"),
])
def test_the_schema_rejects_what_breaks_the_contract(open_and_resolved, change, problem):
    finding = open_and_resolved[0]
    change(finding)
    assert any(problem in e for e in errors([finding], SCHEMA)), errors([finding], SCHEMA)


def test_the_validator_refuses_keywords_it_does_not_check():
    with pytest.raises(ValueError, match="maxLength"):
        errors("x", {"type": "string", "maxLength": 3})


# --- citations of the design ----------------------------------------------------------------

CITING = [p for d in ("crawler", "monitor", "alerts", "bench", "tests") for p in sorted((ROOT / d).rglob("*"))
          if p.suffix in (".py", ".md", ".html", ".txt") and "data" not in p.relative_to(ROOT).parts[1:-1]]
CITING += [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "tests" / "data").rglob("SOURCES.md")),
           *sorted((ROOT / "monitor").rglob("SOURCES.md"))]
OUTSIDE = re.compile(r"\bDESIGN\b|DESIGN\.md|\bspec/|ecosystem-notes|peers\.md|\.\./shared\b")
CITED_DOC = re.compile(r"\bdocs/([\w.-]+\.(?:md|json))(?: (§[\d.]*\d(?:(?:, | and | or |–)§[\d.]*\d)*))?")


def headings(doc: Path) -> set[str]:
    """The section numbers of a Markdown file: `## 4.` and `### 4.2 …` give 4 and 4.2."""
    return set(re.findall(r"^#+ (\d+(?:\.\d+)*)\.?\s", doc.read_text(encoding="utf-8"), re.M))


def test_code_cites_only_documents_in_the_repository():
    outside = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in CITING
               for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
               if OUTSIDE.search(line) and p != Path(__file__)]
    assert outside == [], "cite docs/design.md or docs/rules.md instead:\n" + "\n".join(outside)


def test_cited_documents_and_sections_exist():
    cited = 0
    for p in CITING:
        for name, sections in CITED_DOC.findall(p.read_text(encoding="utf-8", errors="replace")):
            doc = ROOT / "docs" / name
            assert doc.is_file(), f"{p.relative_to(ROOT)} cites docs/{name}, which does not exist"
            missing = set(re.findall(r"§([\d.]*\d)", sections)) - headings(doc)
            assert not missing, f"{p.relative_to(ROOT)} cites docs/{name} §{sorted(missing)}: no such section"
            cited += 1
    assert cited >= 20


# --- test data provenance -------------------------------------------------------------------

ABSOLUTE = re.compile(r"(?<![\w.])(/work/|/home/|/tmp/|/Users/|[A-Za-z]:\\)")


def test_sources_cite_origins_not_machine_paths():
    sources = sorted((ROOT / "tests" / "data").rglob("SOURCES.md")) + sorted((ROOT / "monitor").rglob("SOURCES.md"))
    assert len(sources) >= 3
    for p in sources:
        text = p.read_text(encoding="utf-8")
        assert not ABSOLUTE.search(text), f"{p.relative_to(ROOT)} cites a path of a machine: {ABSOLUTE.search(text)[0]}"
        assert re.search(r"https?://|github", text, re.I), f"{p.relative_to(ROOT)} names no origin"
