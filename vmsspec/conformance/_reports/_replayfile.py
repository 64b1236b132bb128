"""Replay files: one finding's request, kept so that ``vmsspec replay FILE`` can send it again.

The file is JSON: ``Reproduction.as_dict()`` (the exact body, base64; the unsigned headers;
the region; the tamper applied after signing) plus the check id, rule id, what was expected
and what came. It holds no signature: a signature expires after 15 minutes, so a replay
signs again. Names are the test id plus a digest of the content, so every report that
shows a finding refers to the same file, and writing it twice is harmless.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._results import CheckOutcome, Reproduction

__all__ = ["DEFAULT_REPLAY_DIR", "REPLAY_FORMAT", "Replay", "display_path", "load_replay",
           "replay_document", "write_replay"]

REPLAY_FORMAT = 1
"""The ``vmsspec_replay`` field: bumped when a field changes meaning."""
DEFAULT_REPLAY_DIR = Path(".vmsspec") / "replays"
"""Beside ``.hypothesis``: relative to the directory the run starts in."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Replay:
    """A loaded replay file."""

    check_id: str
    rule_id: str | None
    """The case label the run judged (a rule id, or e.g. ``auth/wrong-signature``)."""
    expected: str
    actual: str
    reproduction: Reproduction
    profile: str = "documented"
    seed: int | None = None


def replay_document(outcome: CheckOutcome, *, target: str = "", seed: int | None = None,
                    profile: str = "") -> dict[str, Any] | None:
    """The replay file's content for a case that has a reproduction (else None)."""
    if outcome.reproduction is None:
        return None
    doc: dict[str, Any] = {"vmsspec_replay": REPLAY_FORMAT, "check": outcome.check_id,
                           "rule": outcome.rule_id, "expected": outcome.expected,
                           "actual": outcome.actual, "message": outcome.message,
                           "target": target, "seed": seed, "profile": profile or "documented"}
    doc.update(outcome.reproduction.as_dict())
    return doc


def _file_name(doc: dict[str, Any]) -> str:
    test_id = str(doc["check"]) if doc["rule"] is None else f"{doc['check']}[{doc['rule']}]"
    stem = _UNSAFE.sub("_", test_id).strip("_.")[:80] or "finding"
    digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode("utf-8")).hexdigest()[:10]
    return f"{stem}-{digest}.json"


def write_replay(doc: dict[str, Any], directory: Path) -> Path:
    """Write the document atomically into ``directory`` (created if missing); its path.

    Raises OSError when the directory cannot be written.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / _file_name(doc)
    if path.is_file():
        return path
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(doc, out, indent=2, ensure_ascii=False)
            out.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is inside it (shorter commands)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_replay(path: str | Path) -> Replay:
    """Read a replay file; ValueError with one line naming what is wrong."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{name}: is a directory") from None
    except UnicodeDecodeError:
        raise ValueError(f"{name}: not a replay file (not UTF-8 text)") from None
    except OSError as exc:
        raise ValueError(f"{name}: cannot read: {exc.strerror or exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name}: not a replay file (invalid JSON at line {exc.lineno})") from None
    if not isinstance(doc, dict) or "vmsspec_replay" not in doc:
        raise ValueError(f"{name}: not a replay file (no vmsspec_replay field)")
    if doc["vmsspec_replay"] != REPLAY_FORMAT:
        raise ValueError(f"{name}: replay format {doc['vmsspec_replay']!r} is not supported"
                         f" (this vmsspec reads {REPLAY_FORMAT})")
    try:
        reproduction = Reproduction.from_dict(doc)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
    for key in ("check", "expected"):
        if not isinstance(doc.get(key), str):
            raise ValueError(f"{name}: the field {key!r} must be a string")
    rule = doc.get("rule")
    if rule is not None and not isinstance(rule, str):
        raise ValueError(f"{name}: the field 'rule' must be a string or null")
    profile = doc.get("profile") or "documented"
    seed = doc.get("seed")
    if not isinstance(profile, str) or not (seed is None or type(seed) is int):
        raise ValueError(f"{name}: 'profile' must be a string and 'seed' an integer or null")
    return Replay(check_id=doc["check"], rule_id=rule, expected=doc["expected"],
                  actual=str(doc.get("actual", "")), reproduction=reproduction,
                  profile=profile, seed=seed)
