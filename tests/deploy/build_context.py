"""The files a ``docker build`` of the repository would send: ``.dockerignore`` applied as docker applies it.

Docker's rules (moby/patternmatcher), which differ from .gitignore's: each pattern is matched against the
whole path from the context root (``*`` and ``?`` never cross a ``/``, ``**`` spans directories, a leading
``/`` is dropped); a pattern matching a directory matches everything below it; the last pattern that
matches a path or one of its parents decides, ``!`` re-including. An excluded directory is walked only
when a ``!`` pattern could re-include something inside it, as docker does.
"""
from __future__ import annotations

import os
import posixpath
import re
import shutil
from pathlib import Path


def _regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[" and "]" in pattern[i:]:
            end = pattern.index("]", i)
            out, i = out + pattern[i:end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def read_rules(dockerignore: Path) -> list[tuple[bool, str, re.Pattern[str]]]:
    """(re-includes, pattern, regex) for each pattern, in order."""
    rules = []
    for line in dockerignore.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        include = line.startswith("!")
        pattern = posixpath.normpath(line[1:].strip() if include else line).lstrip("/")
        rules.append((include, pattern, _regex(pattern)))
    return rules


def is_excluded(path: str, rules) -> bool:
    parts = path.split("/")
    candidates = ["/".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
    excluded = False
    for include, _pattern, regex in rules:
        if any(regex.fullmatch(candidate) for candidate in candidates):
            excluded = not include
    return excluded


def context_files(root: Path) -> list[Path]:
    """Paths (relative to ``root``) of the files the build context holds."""
    rules = read_rules(root / ".dockerignore")
    found = []
    for directory, subdirectories, files in os.walk(root):
        relative = Path(directory).relative_to(root).as_posix()
        prefix = "" if relative == "." else relative + "/"
        for name in list(subdirectories):
            path = prefix + name
            if is_excluded(path, rules) and not any(
                    include and (pattern + "/").startswith(path + "/") for include, pattern, _ in rules):
                subdirectories.remove(name)
        found += [Path(prefix + name) for name in files if not is_excluded(prefix + name, rules)]
    return sorted(found)


def copy_context(root: Path, destination: Path) -> list[Path]:
    files = context_files(root)
    for path in files:
        (destination / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / path, destination / path)
    return files
