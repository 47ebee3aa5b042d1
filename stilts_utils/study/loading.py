"""Reading a study file into one mapping: YAML (a key given twice refused), the file and line of every key,
`extends:` and the command line's `--set`. study/config.py maps the result onto its dataclasses.

`extends: <study name | path>` (top level only): the file starts from another study file and holds only what
it changes. A name (`sandbox`) is params/<name>.yaml, as on the command line; anything else is a path
relative to the extending file. Mappings merge key by key at every depth (the extending file's keys win);
a list or any other value replaces the parent's whole; `name` is never inherited (a study is named by its
own file). A parent may extend in turn; a missing parent or a cycle is one error line.

Hand-written, not OmegaConf (the well-kept library for merging and dotted overrides), because it would make
the errors worse: it keeps no YAML line numbers, so a bad value could not be named by its file and line (the
parent's line for an inherited one); it reads `${...}` in any string as an interpolation and `???` as a
missing value; and its dotlist values are not parsed as YAML, as a study file's are. The merge and the
overrides it would replace are ~30 lines here, against one more dependency in the environment.
"""
from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import StudyError

PARAMS = Path(__file__).resolve().parents[2] / "params"  # where `extends: <name>` looks, as the CLI does
# Study names become folder names under the output root: a safe set, no leading dot, no separators.
NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}")


def type_name(value) -> str:
    return {str: "a string", list: "a list", dict: "a mapping", bool: "a boolean", int: "an integer",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


# ---- one YAML file --------------------------------------------------------------------------------------

class _UniqueKeyLoader(yaml.SafeLoader):
    """yaml.safe_load's loader (no Python tags), except that a key given twice is an error: PyYAML keeps
    the last one silently, so `seeds:` written twice would run the other seeds than the reader sees."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node.start_mark.line + 1)
            except TypeError:  # unhashable key: PyYAML's own error follows
                continue
            if first != key_node.start_mark.line + 1:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {first}); each key may appear once",
                    key_node.start_mark)
        return super().construct_mapping(node, deep)


def _key_lines(node, prefix: str = "", out: dict | None = None) -> dict:
    """{dotted key path: line} of every mapping key of the file, to say where a bad value is."""
    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = f"{prefix}.{key.value}" if prefix else str(key.value)
            out.setdefault(path, key.start_mark.line + 1)
            _key_lines(value, path, out)
    return out


def parse_yaml(path: Path) -> tuple[object, dict]:
    """(data, key lines) of a YAML file; syntax errors, duplicate keys and tags become one-line StudyErrors."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise StudyError(f"{path}: not UTF-8 text (byte {err.start}); a study file is YAML text") from None
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        where = f", line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = " ".join(filter(None, [getattr(err, "context", None), getattr(err, "problem", None)])) or str(err)
        problem = problem.replace("\n", " ")
        if "could not determine a constructor" in problem:
            problem += "; allowed: plain YAML (mappings, lists, strings, numbers, booleans), no tags"
        raise StudyError(f"{path}{where}: invalid YAML: {problem}") from None
    finally:
        loader.dispose()
    return data, _key_lines(node)


@functools.lru_cache(maxsize=64)
def _parsed(path: Path, mtime_ns: int, size: int) -> tuple[dict, dict]:
    """A study file's top-level mapping and key lines, parsed again only when the file changes."""
    data, lines = parse_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise StudyError(f"{path}: expected a mapping of study keys (world:, models:, targets:, ...) at the top, "
                         f"got {type_name(data)} {str(data)[:60]!r}")
    return data, lines


def _stamp(path: Path) -> tuple:
    stat = path.stat()
    return path, stat.st_mtime_ns, stat.st_size


# ---- extends ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """A study file with its parents merged in: the data, and the (file, line) of every key path in it."""

    path: Path  # the file that was asked for
    data: dict
    where: dict  # dotted key path -> (file, line)
    stamp: tuple  # (path, mtime, size) of every file read: a cache key that changes with any of them

    def locate(self, err: StudyError, overrides: tuple = ()) -> StudyError:
        """`err` with where its value came from: a --set item, else the file and line (a parent's, if
        inherited), else the file alone (a default)."""
        leading = re.match(r"([A-Za-z_][\w.+-]*):", str(err))  # messages start with their key path
        key = err.key or (leading.group(1) if leading else None)
        given = _override_of(key, overrides)
        if given:  # the bad value came from the command line, not from a line of a file
            return StudyError(f"{self.path} with --set {given}: {err}", key=err.key)
        file, line = self._where(key) or (self.path, None)
        via = f" (extended by {self.path})" if file != self.path else ""
        return StudyError(f"{file}{f', line {line}' if line else ''}{via}: {err}", key=err.key)

    def _where(self, key: str | None) -> tuple | None:
        """Where a key path is set, or its closest parent (a value may come from a default)."""
        while key:
            if key in self.where:
                return self.where[key]
            key = key.rpartition(".")[0]
        return None


def read_study(path: Path, _seen: tuple = ()) -> Source:
    """The study file at `path` (absolute) with its `extends` chain merged in; `extends` itself removed."""
    data, lines = _parsed(*_stamp(path))
    data = copy.deepcopy(data)  # the cached parse stays as read
    where = {key: (path, line) for key, line in lines.items()}
    parent_ref = data.pop("extends", None)
    if parent_ref is None:
        return Source(path, data, where, (_stamp(path),))
    parent = _parent_path(path, parent_ref, lines.get("extends"), _seen)
    base = read_study(parent, (*_seen, path))
    merged = merge(_without_name(base.data), data)
    inherited = {k: v for k, v in base.where.items() if k != "name" and not k.startswith("name.")}
    return Source(path, merged, {**inherited, **where}, (_stamp(path), *base.stamp))


def _parent_path(path: Path, ref, line: int | None, seen: tuple) -> Path:
    here = f"{path}, line {line}: extends" if line else f"{path}: extends"
    if not isinstance(ref, str) or not ref.strip():
        raise StudyError(f"{here}: expected a study name or a path relative to this file, got {type_name(ref)} "
                         f"{ref!r}", key="extends")
    named = NAME.fullmatch(ref) and not ref.endswith((".yaml", ".yml"))
    parent = (PARAMS / f"{ref}.yaml" if named else path.parent / ref).resolve()
    if parent in (*seen, path):
        chain = " -> ".join(p.name for p in (*seen, path, parent))
        raise StudyError(f"{here}: {ref!r} closes a cycle ({chain}); allowed: a chain of parents that ends in a "
                         "file without `extends`", key="extends")
    if not parent.is_file():
        names = ", ".join(sorted(p.stem for p in PARAMS.glob("*.yaml")))
        raise StudyError(f"{here}: {ref!r} is no study file ({parent} does not exist); allowed: a study name in "
                         f"params/ ({names}) or a path relative to this file", key="extends")
    return parent


def _without_name(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "name"}


def merge(base: dict, child: dict) -> dict:
    """`child` over `base`: mappings merge key by key at every depth; anything else (lists too) replaces."""
    out = dict(base)
    for key, value in child.items():
        both = isinstance(value, dict) and isinstance(out.get(key), dict)
        out[key] = merge(out[key], value) if both else value
    return out


# ---- --set --------------------------------------------------------------------------------------------

def parse_override(item: str) -> tuple[list[str], object]:
    """`phase2.lr=3e-5` -> (["phase2", "lr"], 3e-05): the value is YAML (yaml.safe_load), as in a study file."""
    key, sep, text = item.partition("=")
    parts = key.strip().split(".")
    if not sep or not all(NAME.fullmatch(p) for p in parts):
        raise StudyError(f"--set {item!r}: expected key.sub=value (e.g. phase2.lr=3e-5 or seeds=[0,1])")
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise StudyError(f"--set {item!r}: the value is not YAML: {' '.join(str(err).split())}") from None
    return parts, value


def apply_overrides(data: dict, overrides) -> dict:
    """The study file's data with each override set at its key path (blocks made where missing); the result
    is validated like the file itself, so an unknown key or a bad value fails with the same message."""
    data = dict(data)
    for item in overrides:
        parts, value = parse_override(item)
        node = data
        for depth, part in enumerate(parts[:-1]):
            child = node.get(part, {})
            if not isinstance(child, dict):
                where = ".".join(parts[:depth + 1])
                raise StudyError(f"--set {item!r}: {where} is {type_name(child)} in the study, not a block of keys")
            node[part] = child = dict(child)
            node = child
        node[parts[-1]] = value
    return data


def _override_of(key: str | None, overrides: tuple) -> str | None:
    """The --set item that set `key` or a block around it (the last one wins, as when applied)."""
    for item in reversed(overrides):
        given = item.partition("=")[0].strip()
        if key and (key == given or key.startswith(given + ".") or given.startswith(key + ".")):
            return item
    return None


def study_data(path, overrides=()) -> dict:
    """The effective mapping of a study file: parents merged in, then the --set overrides (not validated)."""
    return apply_overrides(read_study(Path(path).resolve()).data, overrides)
