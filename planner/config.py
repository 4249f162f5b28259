"""Constraint files: TOML with ``extends`` and ``--set`` overrides, checked against the
schema (``schema.py``). Every error names the file, the key and what is allowed.

>>> config = load_config(resources.constraints_dir() / "vegan.toml")
>>> config.diet.pattern
'vegan'
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from . import resources
from .errors import ConfigError, did_you_mean
from .inputs import InputRefused, read_bounded
from .parsers import did_you_mean_key
from .schema import (
    DEFAULT_OCCASIONS,
    MAX_OCCASIONS,
    PROFILES,
    SECTIONS,
    TOP_KEYS,
    Config,
    Occasion,
    PlanSection,
    plain,
    section_of,
    shown,
)
from .vocabulary import (
    CONTROL_CHARACTERS,
)

MAX_EXTENDS_DEPTH = 10
MAX_FILE_BYTES = 1024 * 1024


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file with messages that name the file and line."""
    try:
        raw = read_bounded(path, MAX_FILE_BYTES)
    except InputRefused as exc:
        raise ConfigError(str(exc), "name a constraint file (TOML)") from None
    except FileNotFoundError:
        close = did_you_mean(path.stem, [p.stem for p in resources.constraints_dir()
                                          .glob("*.toml")])
        raise ConfigError(f"{path}: constraint file not found"
                          + (f"; {close.replace('did you mean', 'did you mean the preset')}"
                             if close else ""),
                          f"check the path, or name a preset (`planner presets`; shipped in "
                          f"{resources.constraints_dir()})") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a TOML file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(f"{path}: {len(raw):,} bytes; constraint files are at most "
                          f"{MAX_FILE_BYTES:,}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start})",
                          "save the file as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}",
                          "see https://toml.io for the syntax") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be a constraint file") from None


def resolve_chain(path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The file and its `extends` ancestors, base first; cycles and escapes rejected."""
    root = path.resolve().parent
    shipped = resources.constraints_dir().resolve()
    chain: list[tuple[Path, dict[str, Any]]] = []
    seen: list[Path] = []
    current = path
    while True:
        resolved = current.resolve()
        if resolved in seen:
            cycle = " -> ".join(str(p.name) for p in [*seen, resolved])
            raise ConfigError(f"{path}: `extends` cycle: {cycle}", "remove one `extends`")
        if len(seen) >= MAX_EXTENDS_DEPTH:
            raise ConfigError(f"{path}: more than {MAX_EXTENDS_DEPTH} levels of `extends`")
        seen.append(resolved)
        data = read_toml(current)
        chain.append((current, data))
        parent = data.get("extends")
        if parent is None:
            break
        if not isinstance(parent, str) or not parent.strip():
            raise ConfigError(f"{current}: extends = {shown(parent)}: must be a file name "
                              'like "base.toml"')
        current = _parent_path(current, parent, root, shipped)
    return chain[::-1]


def _parent_path(current: Path, parent: str, root: Path, shipped: Path) -> Path:
    if CONTROL_CHARACTERS.search(parent):
        raise ConfigError(f"{current}: extends = {parent!r} holds a control character",
                          'name a file like "base.toml"')
    candidate = (current.parent / parent).resolve()
    if not candidate.exists() and "/" not in parent and (shipped / parent).exists():
        candidate = shipped / parent
    inside = any(candidate.is_relative_to(top) for top in (root, shipped))
    if not inside:
        raise ConfigError(f"{current}: extends = {parent!r} leaves the constraints folder "
                          f"({root})", "copy the file next to this one, or name it "
                          "explicitly on the command line")
    if not candidate.exists():
        raise ConfigError(f"{current}: extends = {parent!r}: {candidate} not found",
                          "extends is relative to the file that names it")
    return candidate


def merge(base: dict[str, Any], top: dict[str, Any], origin: str,
          origins: dict[str, str], prefix: str = "") -> dict[str, Any]:
    """Deep-merge tables; arrays (including [[occasions]]) replace; record key origins."""
    out = dict(base)
    for key, value in top.items():
        dotted = f"{prefix}{key}"
        if (isinstance(value, dict) and isinstance(out.get(key), dict)
                and dotted not in _REPLACED_TABLES):
            out[key] = merge(out[key], value, origin, origins, dotted + ".")
        else:
            out[key] = value
            origins[dotted] = origin
    return out


_REPLACED_TABLES = {"variety.group_uses_per_week"}


def parse_override(item: str) -> tuple[list[str], Any]:
    """``section.key=value`` to (path, value); values are TOML, bare words are text."""
    if "=" not in item:
        raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. b12.supplements=\"none\"")
    key, _, raw = item.partition("=")
    parts = [p.strip() for p in key.strip().split(".")]
    if len(parts) < 2 or not all(parts):
        raise ConfigError(f"--set {item!r}: KEY must be section.key, e.g. plan.days "
                          "or occasions.lunch.max_solids_g")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    except (ValueError, RecursionError):  # a number of over 4,300 digits; nesting too deep
        raise ConfigError(f"--set {item[:60]!r}...: the value is too long or nested too "
                          "deeply", "give a plain number, text or short list") from None
    return parts, value


def apply_override(data: dict[str, Any], parts: list[str], value: Any, item: str) -> None:
    """Put one --set value into the merged raw configuration."""
    if parts[0] == "occasions":
        occasions = data.get("occasions") or [dataclasses.asdict(o) for o in DEFAULT_OCCASIONS]
        data["occasions"] = occasions
        names = [o.get("name") for o in occasions if isinstance(o, dict)]
        selector = parts[1]
        if selector.isdigit() and 1 <= int(selector) <= len(occasions):
            target = occasions[int(selector) - 1]
        elif selector in names:
            target = occasions[names.index(selector)]
        else:
            raise ConfigError(f"--set {item!r}: no occasion {selector!r}"
                              f"{did_you_mean_key(selector, [str(n) for n in names])}; "
                              f"occasions: {', '.join(map(str, names))}")
        if len(parts) != 3:
            raise ConfigError(f"--set {item!r}: use occasions.NAME.key")
        target[parts[2]] = value
        return
    if parts[0] not in SECTIONS:
        raise ConfigError(f"--set {item!r}: unknown section {parts[0]!r}"
                          f"{did_you_mean_key(parts[0], list(SECTIONS))}; "
                          f"sections: {', '.join(SECTIONS)}")
    node = data.setdefault(parts[0], {})
    for part in parts[1:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"--set {item!r}: {part} is not a table")
    node[parts[-1]] = value


def preset_path(name: Path | str) -> Path:
    """A constraint file's path; a bare name of a shipped preset (``vegan``) that is not a
    file here means the preset."""
    path = Path(name)
    if path.exists() or path.suffix or len(path.parts) > 1:
        return path
    shipped = resources.constraints_dir() / f"{path.name}.toml"
    return shipped if shipped.exists() else path


def presets() -> list[tuple[str, str]]:
    """The shipped constraint files: bare name and the first sentence of their comment."""
    out = []
    for path in sorted(resources.constraints_dir().glob("*.toml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        head = " ".join(line.lstrip("# ").strip() for line in
                        itertools.takewhile(lambda line: line.startswith("#"), lines))
        sentence = re.split(r"(?<=\.)\s", head, maxsplit=1)[0]
        if len(sentence) > 80:
            sentence = sentence[:77].rsplit(" ", 1)[0] + " ..."
        out.append((path.stem, sentence))
    return out


def load_config(path: Path | str | None = None, overrides: list[str] | tuple[str, ...] = (),
                ) -> Config:
    """Load a constraint file with its `extends` chain and `--set` overrides, checked."""
    path = preset_path(path) if path is not None else resources.default_constraints()
    origins: dict[str, str] = {}
    data: dict[str, Any] = {}
    chain = resolve_chain(path)
    for file, raw in chain:
        data = merge(data, {k: v for k, v in raw.items() if k != "extends"}, str(file), origins)
    for item in overrides:
        parts, value = parse_override(item)
        apply_override(data, parts, value, item)
        origins[".".join(parts[:2] if parts[0] == "occasions" else parts)] = f"--set {item}"
        origins[parts[0]] = origins.get(parts[0], f"--set {item}")
    config = build_config(data, origins, str(path), tuple(str(f) for f, _ in chain))
    return _absolute_files(config)


def _absolute_files(config: Config) -> Config:
    """Files the configuration names (``[meals] own``) as absolute
    paths: beside the constraint file named on the command line when there, else in the
    working directory, so that a saved plan finds them from anywhere."""
    def absolute(name: str | None) -> str | None:
        if not name or Path(name).is_absolute():
            return name
        beside = Path(config.files[-1]).parent / name if config.files else Path(name)
        return str((beside if beside.exists() else Path.cwd() / name).resolve())

    return dataclasses.replace(
        config, meals=dataclasses.replace(config.meals, own=absolute(config.meals.own)))


def build_config(data: Mapping[str, Any], origins: Mapping[str, str], default_origin: str,
                 files: tuple[str, ...] = ()) -> Config:
    """Check a merged raw configuration against the schema and the cross-key rules."""
    for key in data:
        if key not in TOP_KEYS:
            raise ConfigError(f"{origins.get(key, default_origin)}: unknown key {key!r}"
                              f"{did_you_mean_key(key, list(TOP_KEYS))}",
                              f"allowed at the top: {', '.join(TOP_KEYS)}")
    sections = {}
    for name, cls in SECTIONS.items():
        values = data.get(name, {})
        try:
            sections[name] = section_of(cls, values, name)
        except ValueError as exc:
            where = _origin_of(name, exc, origins, default_origin)
            raise ConfigError(f"{where}: [{name}] {exc}") from None
    occasions = _occasions(data.get("occasions"), origins.get("occasions", default_origin))
    config = Config(occasions=occasions, files=files, **sections)
    check_rules(config, default_origin)
    return config


def _origin_of(section: str, exc: ValueError, origins: Mapping[str, str], default: str) -> str:
    unknown = re.match(r"(?:unknown )?key '([^']+)'", str(exc))
    key = unknown.group(1) if unknown else str(exc).split(" ", 1)[0]
    for candidate in (f"{section}.{key}", section):
        if candidate in origins:
            return origins[candidate]
    match = [v for k, v in origins.items() if k.startswith(section + ".")]
    return match[-1] if match else default


def _occasions(raw: Any, origin: str) -> tuple[Occasion, ...]:
    if raw is None:
        return DEFAULT_OCCASIONS
    if not isinstance(raw, list) or not raw or len(raw) > MAX_OCCASIONS:
        raise ConfigError(f"{origin}: occasions must be 1 to {MAX_OCCASIONS} [[occasions]] tables")
    occasions = []
    for number_, item in enumerate(raw, start=1):
        label = item.get("name", number_) if isinstance(item, dict) else number_
        try:
            occasion = section_of(Occasion, item, "occasions")
        except ValueError as exc:
            raise ConfigError(f"{origin}: [[occasions]] {label!r}: {exc}") from None
        if not occasion.name or not occasion.time:
            raise ConfigError(f"{origin}: [[occasions]] {label!r}: needs name and time")
        occasions.append(occasion)
    return tuple(occasions)


def check_rules(config: Config, origin: str) -> None:
    """Rules that span keys: unique occasions in time order, drink spacing, floors."""
    names = [o.name for o in config.occasions]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(f"{origin}: occasion name(s) {', '.join(twice)} used twice",
                          "give every [[occasions]] a unique name")
    minutes = [o.minutes() for o in config.occasions]
    if any(b <= a for a, b in itertools.pairwise(minutes)):
        raise ConfigError(f"{origin}: occasions must be in time order, each later than the "
                          f"last: {', '.join(f'{o.name} {o.time}' for o in config.occasions)}")
    gap = config.plan.drink_gap_min
    for drink in (o for o in config.occasions if o.kind == "drink"):
        for meal in (o for o in config.occasions if o.kind == "meal"):
            if abs(drink.minutes() - meal.minutes()) < gap:
                raise ConfigError(
                    f"{origin}: drink occasion {drink.name!r} at {drink.time} is less than "
                    f"{gap} min from meal {meal.name!r} at {meal.time}",
                    f"move it, or lower plan.drink_gap_min (now {gap})")
    if config.b12.target_period == "week" and config.b12.daily_floor_ug > config.target_ug():
        raise ConfigError(f"{origin}: [b12] daily_floor_ug ({config.b12.daily_floor_ug:g}) is "
                          f"above the target ({config.target_ug():g})",
                          "lower daily_floor_ug or raise target_absorbed_ug")
    person = config.person
    if person.life_stage != "none" and (person.sex != "female" or person.age > 55):
        raise ConfigError(f"{origin}: [person] life_stage = {person.life_stage!r} needs sex = "
                          f"\"female\" and an age of 55 or less (now {person.sex}, "
                          f"{person.age})", "correct [person], or set life_stage = \"none\"")
    windows = len({o.time for o in config.occasions})
    for product, units in config.supplements.daily.items():
        if units > windows:
            raise ConfigError(f"{origin}: [supplements] daily asks {units} units of {product} "
                              f"a day, more than the {windows} occasions to take them with",
                              "lower the count")
    missing = [p for p in PROFILES if p not in config.absorption.profiles]
    if config.b12.profile in missing:
        raise ConfigError(f"{origin}: [absorption.profiles] has no {config.b12.profile!r}")


def check_ids(config: Config, food_ids: set[str] | Any, supplement_ids: set[str] | Any,
              foods_path: str = "the food table",
              supplements_path: str = "the supplement table") -> None:
    """Food and supplement ids named in the configuration must exist."""
    food_ids, supplement_ids = set(food_ids), set(supplement_ids)
    for key, ids in (("diet.exclude", config.diet.exclude),
                     ("diet.include", config.diet.include)):
        unknown = [i for i in ids if i not in food_ids]
        if unknown:
            hint = did_you_mean_key(unknown[0], sorted(food_ids))
            raise ConfigError(f"{config.files[-1] if config.files else 'constraints'}: {key} "
                              f"names {', '.join(unknown)}, not in {foods_path}{hint}",
                              "see `planner foods list` for the ids")
    rules = config.supplements
    for key, ids in (("b12.supplement_products", config.b12.supplement_products),
                     ("supplements.products", rules.products),
                     ("supplements.daily", tuple(rules.daily)),
                     ("supplements.apart", tuple(i for side in rules.apart for i in side))):
        unknown = [i for i in ids if i not in supplement_ids]
        if unknown:
            hint = did_you_mean_key(unknown[0], sorted(supplement_ids))
            raise ConfigError(f"{config.files[-1] if config.files else 'constraints'}: "
                              f"{key} names {', '.join(unknown)}, not in "
                              f"{supplements_path}{hint}",
                              f"ids: {', '.join(sorted(supplement_ids))}")


def warnings(config: Config) -> list[str]:
    """Rules that cannot bind or that conflict, for `planner check`."""
    notes = []
    shares = [o.energy_share for o in config.occasions if o.energy_share]
    if len(shares) == len(config.occasions) and shares:
        low = sum(s[0] for s in shares)
        high = sum(s[1] for s in shares)
        if low > 1 + 1e-9 or high < 1 - 1e-9:
            notes.append(f"energy_share minimums add up to {low:.2f} and maximums to "
                         f"{high:.2f}: they must bracket 1.00 or no plan exists")
    if config.b12.supplements == "none" and not config.diet.fortified and \
            config.diet.pattern == "vegan":
        notes.append("vegan without fortified foods or supplements: plant foods carry no "
                     "active B12, so the B12 target cannot be met")
    liquids = [o for o in config.occasions if o.max_liquids_ml == 0]
    drinks = [o for o in config.occasions if o.kind == "drink"]
    if config.nutrients.fluids_ml_min > 0 and liquids and not drinks \
            and len(liquids) == len(config.occasions):
        notes.append("fluids_ml_min > 0 but every occasion forbids liquids")
    return notes


def dump_toml(config: Config) -> str:
    """The resolved configuration as TOML (None values left out)."""
    return tomli_w.dumps(_drop_none(config.to_dict()))


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def reference_markdown() -> str:
    """The constraint-file reference table (every key, type, default, meaning)."""
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for section, cls in [("plan", PlanSection), ("occasions", Occasion), *[
            (n, c) for n, c in SECTIONS.items() if n != "plan"]]:
        for f in dataclasses.fields(cls):
            default = f.default if f.default is not dataclasses.MISSING else (
                f.default_factory() if f.default_factory is not dataclasses.MISSING else None)
            shown = _cell(default)
            kind = f.metadata["parse"].__doc__ or ""
            prefix = "[[occasions]]" if section == "occasions" else f"[{section}]"
            lines.append(f"| `{prefix} {f.name}` | {kind.strip()} | {shown} | "
                         f"{f.metadata['doc']} |")
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if (isinstance(value, dict) and value) or (isinstance(value, tuple) and len(value) > 4):
        return "see `absorption.toml`"
    return f"`{_inline(plain(value))}`"


def _inline(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_inline(v)}" for k, v in value.items()) + "}"
    return str(value)
