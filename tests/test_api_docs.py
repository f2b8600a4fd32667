"""docs/API.md keeps up with the code: every route, CLI command and option, and Socket.IO namespace is documented.

A route counts as documented when `METHOD /path` appears in a code span or code block of
docs/API.md, with any `<placeholder>` matching any converter (`/api/counters/<n>/<action>`
documents `/api/counters/<int:number>/<action>`). A CLI command counts as documented when some
`antrean …` line in code contains its words in a row (global options such as `[--instance DIR]`
may come between `antrean` and the command).
"""
from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from shared.cli import main as cli_main

DOC = Path(__file__).resolve().parents[1] / "docs" / "API.md"
IGNORED_METHODS = {"HEAD", "OPTIONS"}
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_ROUTE_IN_CODE = re.compile(r"\b(" + "|".join(HTTP_METHODS) + r")\s+(/[^\s`|,;)]*)")
_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_SPAN = re.compile(r"`([^`\n]+)`")
_PLACEHOLDER = re.compile(r"<[^<>/]*>")


@pytest.fixture(scope="module")
def doc_text() -> str:
    assert DOC.exists(), f"{DOC} is missing"
    return DOC.read_text(encoding="utf-8")


def code_snippets(text: str) -> list[str]:
    """The lines of fenced code blocks and the inline code spans of a Markdown text."""
    snippets: list[str] = []
    for block in _FENCE.findall(text):
        snippets.extend(block.splitlines())
    snippets.extend(_SPAN.findall(_FENCE.sub("", text)))
    return snippets


def normalize_path(path: str) -> str:
    """`/api/tickets/<token>/pdf?lang=en` and `/api/tickets/<string:t>/pdf` both → `/api/tickets/<>/pdf`."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    return _PLACEHOLDER.sub("<>", path)


def documented_routes(text: str) -> set[tuple[str, str]]:
    found = set()
    for snippet in code_snippets(text):
        for method, path in _ROUTE_IN_CODE.findall(snippet):
            found.add((method, normalize_path(path)))
    return found


def is_skipped(endpoint: str) -> bool:
    """Static files and vendored browser libraries are not API surface."""
    return endpoint == "static" or endpoint.endswith(".static") or endpoint == "vendor"


def app_routes(app) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if is_skipped(rule.endpoint):
            continue
        for method in sorted(rule.methods - IGNORED_METHODS):
            routes.append((method, normalize_path(rule.rule), f"{method} {rule.rule} ({rule.endpoint})"))
    return routes


def cli_command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand of a click group, as word tuples: ('kiosk',), ('kiosk', 'add')…"""
    paths = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        paths.append(path)
        if isinstance(command, click.Group):
            paths.extend(cli_command_paths(command, path))
    return paths


def cli_commands_with_objects(group: click.Command, prefix: tuple[str, ...] = ()):
    yield prefix, group
    if isinstance(group, click.Group):
        for name, command in sorted(group.commands.items()):
            yield from cli_commands_with_objects(command, (*prefix, name))


def documented_cli_lines(text: str) -> list[list[str]]:
    """The words of each code line that runs `antrean`, without bracketed optional parts."""
    lines = []
    for snippet in code_snippets(text):
        snippet = snippet.strip()
        snippet = snippet[2:] if snippet.startswith("$ ") else snippet
        if not snippet.startswith("antrean"):
            continue
        previous = None
        while previous != snippet:  # drop [..] groups, innermost first
            previous, snippet = snippet, re.sub(r"\[[^\[\]]*\]", " ", snippet)
        lines.append(snippet.split())
    return lines


def contains_run(words: list[str], run: tuple[str, ...]) -> bool:
    return any(tuple(words[i:i + len(run)]) == run for i in range(len(words) - len(run) + 1))


def test_every_route_is_documented(app, doc_text):
    routes = app_routes(app)
    assert len(routes) > 10, "the app registers suspiciously few routes; is the url_map read correctly?"
    documented = documented_routes(doc_text)
    missing = [label for method, path, label in routes if (method, path) not in documented]
    assert not missing, "routes missing from docs/API.md (write them as `METHOD /path`):\n  " + "\n  ".join(missing)


def test_every_cli_command_is_documented(doc_text):
    commands = cli_command_paths(cli_main)
    assert ("serve",) in commands and ("kiosk", "add") in commands, commands
    lines = documented_cli_lines(doc_text)
    missing = [" ".join(path) for path in commands if not any(contains_run(words, path) for words in lines)]
    assert not missing, "CLI commands missing from docs/API.md (as `antrean … COMMAND` in code):\n  " + "\n  ".join(
        f"antrean {name}" for name in missing
    )


def test_every_cli_option_is_documented(doc_text):
    missing = []
    for path, command in cli_commands_with_objects(cli_main):
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            for option in param.opts:
                if option.startswith("--") and option != "--help" and not re.search(re.escape(option) + r"(?![\w-])", doc_text):
                    missing.append(f"antrean {' '.join(path)} {option}".replace("  ", " "))
    assert not missing, "CLI options missing from docs/API.md:\n  " + "\n  ".join(missing)


def test_every_socketio_namespace_is_documented(app, doc_text):
    server = app.extensions["socketio"].server
    namespaces = sorted(namespace for namespace in server.handlers if namespace != "/")
    assert namespaces, "no Socket.IO handlers registered"
    missing = [namespace for namespace in namespaces if f"`{namespace}`" not in doc_text]
    assert not missing, "Socket.IO namespaces missing from docs/API.md: " + ", ".join(missing)


def test_checker_sees_a_missing_route_and_command():
    """The checks above would notice an undocumented route or command (guards against vacuous passes)."""
    text = "`GET /api/services` and `POST /api/counters/<n>/<action>`\n```\nantrean [--instance DIR] kiosk add NAME\n```\n"
    routes = documented_routes(text)
    assert ("GET", "/api/services") in routes
    assert ("POST", normalize_path("/api/counters/<int:number>/<action>")) in routes
    assert ("GET", "/api/queue") not in routes
    assert ("POST", "/api/services") not in routes
    lines = documented_cli_lines(text)
    assert any(contains_run(words, ("kiosk", "add")) for words in lines)
    assert not any(contains_run(words, ("user", "add")) for words in lines)
