"""Read YAML safely and remember the line of every value.

Used for every YAML file a user controls (scenarios, answers, rules): the
result is plain data plus a map from field path to line number, so a bad value
is reported as `file:line: field: problem`. Only the safe loader's scalar
constructors run; python/* and other tags, sets and aliases that expand past a
fixed budget of repeated nodes (billion laughs) are refused. Nodes written out in the
file cost nothing extra: the file size limit (MAX_BYTES) bounds them, so a long but
plain scenario (10,000 key points) loads in time linear in its size.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlsd.errors import BadInputError
from mlsd.i18n import _

Path_ = tuple[str | int, ...]

MAX_BYTES = 5 * 1024 * 1024
MAX_ALIAS_NODES = 50_000  # nodes repeated through aliases; a billion-laughs file stops here
MAX_DEPTH = 64

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


class YamlFileError(BadInputError):
    """A YAML file that cannot be read; the message is `file:line: field: problem`."""


def _invalid(problem: str) -> str:
    """The problem of a file YAML cannot parse (`problem` is PyYAML's own English)."""
    return _("invalid YAML: {problem}").format(problem=problem)


def _plain_keys() -> str:
    return _("keys must be plain text")


def _unsupported(tag: str) -> str:
    return _("unsupported tag {tag}; use plain YAML").format(tag=repr(tag))


def field_name(path: Path_) -> str:
    """("stages", "model", "key_points", 0) -> "stages.model.key_points[0]"."""
    import re

    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[\w-]+", part):
            out += f".{part}" if out else part
        else:  # a key with spaces, newlines or punctuation: quote it so the message stays one line
            out += f"[{part!r}]"
    return out or "(top level)"


class LocatedData:
    """Parsed YAML data with the line of each field, for precise error messages."""

    def __init__(self, filename: str, data: Any, lines: dict[Path_, int]):
        self.filename = filename
        self.data = data
        self.lines = lines

    def line(self, path: Path_) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def error(self, path: Path_, problem: str, error_cls: type[BadInputError] = YamlFileError) -> BadInputError:
        return error_cls(f"{self.filename}:{self.line(path)}: {field_name(path)}: {problem}")


def read_text(path: Path, display: str, error_cls: type[BadInputError] = YamlFileError) -> str:
    """The file's text as UTF-8, or one clear error (missing, not a regular file, too large, not UTF-8)."""
    from mlsd.fileio import read_user_bytes

    raw = read_user_bytes(path, display, MAX_BYTES, error_cls)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problem = _("not UTF-8 text (byte {byte}); save the file as UTF-8").format(byte=f"0x{raw[exc.start]:02x}")
        raise error_cls(f"{display}:{line}: (top level): {problem}") from None


def parse(text: str, display: str, error_cls: type[BadInputError] = YamlFileError) -> LocatedData:
    """Parse one YAML document into plain data with a line map."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
            raise error_cls(f"{display}:{line}: (yaml): {_invalid(problem)}") from None
        except yaml.YAMLError as exc:
            raise error_cls(f"{display}:1: (yaml): {_invalid(' '.join(str(exc).split()))}") from None
        lines: dict[Path_, int] = {}
        if node is None:
            return LocatedData(display, None, {(): 1})
        budget = [MAX_ALIAS_NODES, set()]  # repeats left, ids of the nodes built once
        data = _build(loader, node, (), lines, budget, display, error_cls, depth=0)
        return LocatedData(display, data, lines)
    finally:
        loader.dispose()


def load(path: Path | str, display: str | None = None, error_cls: type[BadInputError] = YamlFileError) -> LocatedData:
    """Read and parse a YAML file (see `parse`)."""
    path = Path(path)
    display = display or str(path)
    return parse(read_text(path, display, error_cls), display, error_cls)


def _build(loader, node, path: Path_, lines, budget, display, error_cls, depth: int,
           repeated: bool = False) -> Any:
    import yaml

    built = budget[1]
    repeated = repeated or id(node) in built  # reached again through an alias (*name or <<)
    built.add(id(node))
    line = node.start_mark.line + 1
    if repeated:
        budget[0] -= 1
        if budget[0] < 0:
            problem = _("aliases repeat more than {n} nodes (aliases of aliases nested too deeply); "
                        "write the values out").format(n=f"{MAX_ALIAS_NODES:,}")
            raise error_cls(f"{display}:{line}: {field_name(path)}: {problem}")
    if depth > MAX_DEPTH:
        problem = _("nested deeper than {n} levels").format(n=MAX_DEPTH)
        raise error_cls(f"{display}:{line}: {field_name(path)}: {problem}")
    lines.setdefault(path, line)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP_TAG:
            raise error_cls(f"{display}:{line}: {field_name(path)}: {_unsupported(node.tag)}")
        try:
            loader.flatten_mapping(node)  # resolves `<<` merge keys
        except yaml.MarkedYAMLError as exc:
            raise error_cls(f"{display}:{line}: {field_name(path)}: {exc.problem}") from None
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise error_cls(
                    f"{display}:{key_node.start_mark.line + 1}: {field_name(path)}: {_plain_keys()}"
                )
            key = _scalar(loader, key_node, path, display, error_cls)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise error_cls(f"{display}:{key_node.start_mark.line + 1}: {field_name(path)}: {_plain_keys()}")
            key = key if isinstance(key, str) else str(key)
            if key in result:
                problem = _("duplicate key {key}").format(key=repr(key))
                raise error_cls(f"{display}:{key_node.start_mark.line + 1}: {field_name(path + (key,))}: {problem}")
            lines[path + (key,)] = key_node.start_mark.line + 1
            result[key] = _build(loader, value_node, path + (key,), lines, budget, display, error_cls, depth + 1,
                                 repeated)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ_TAG:
            raise error_cls(f"{display}:{line}: {field_name(path)}: {_unsupported(node.tag)}")
        return [
            _build(loader, item, path + (i,), lines, budget, display, error_cls, depth + 1, repeated)
            for i, item in enumerate(node.value)
        ]
    return _scalar(loader, node, path, display, error_cls)


def _scalar(loader, node, path: Path_, display: str, error_cls) -> Any:
    import yaml

    try:
        value = loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise error_cls(
            f"{display}:{node.start_mark.line + 1}: {field_name(path)}: {' '.join(str(problem).split())}"
        ) from None
    except (ValueError, OverflowError) as exc:  # e.g. an impossible timestamp
        raise error_cls(f"{display}:{node.start_mark.line + 1}: {field_name(path)}: {exc}") from None
    if not isinstance(value, (str, int, float, bool, type(None))):
        # dates, timestamps, binary: keep scenario data plain
        value = str(node.value)
    return value
