"""Where scenario files are: the shipped library (by name) and files given by path.

Shipped scenarios live in the package's `scenarios/` folder (`default.yaml` at its root) and in each vendor's own
scenario folder, named `<vendor>/<name>`. A vendor's `default.yaml` is not a scenario of its own but its part
of the built-in `default` scenario, which is composed from every vendor's part.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError
from .yamlsource import load_yaml

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
DEFAULT_SCENARIO = "default"
VENDOR_PART = "default.yaml"


@dataclass(frozen=True)
class ScenarioLibrary:
    """The shipped scenarios of one set of vendors."""

    root: Path
    vendor_dirs: dict[str, Path]  # vendor -> its scenario folder (shipped as `<vendor>/<name>`)

    def shipped_path(self, name: str) -> Path | None:
        """The file of a shipped scenario name, or None (never a file outside the library)."""
        vendor, slash, rest = name.partition("/")
        folder = self.vendor_dirs.get(vendor) if slash else None
        candidate = folder / f"{rest}.yaml" if folder is not None else self.root / f"{name}.yaml"
        if not _is_file(candidate):
            return None
        resolved = candidate.resolve()
        return resolved if self.name_of(resolved) == name else None

    def name_of(self, path: Path) -> str | None:
        """The shipped name of a file (`leadterra/paused`), or None when it is not in the library."""
        for vendor, folder in self.vendor_dirs.items():
            rel = _relative(path, folder.resolve())
            if rel is not None:
                return f"{vendor}/{rel.with_suffix('').as_posix()}"
        rel = _relative(path, self.root)
        return rel.with_suffix("").as_posix() if rel is not None else None

    def names(self) -> list[str]:
        """Every shipped scenario name, sorted (vendors' parts of `default` are not scenarios of their own)."""
        found = {path.stem for path in self.root.glob("*.yaml")}
        for vendor, folder in self.vendor_dirs.items():
            for path in folder.rglob("*.yaml"):
                if path.resolve() != (folder / VENDOR_PART).resolve():
                    found.add(f"{vendor}/{path.relative_to(folder).with_suffix('').as_posix()}")
        return sorted(found)

    def vendor_parts(self) -> list[Path]:
        """Each vendor's part of the built-in `default` scenario, in the order the vendors were given."""
        return [
            (folder / VENDOR_PART).resolve() for folder in self.vendor_dirs.values() if (folder / VENDOR_PART).is_file()
        ]

    def is_default(self, path: Path) -> bool:
        return path == (self.root / f"{DEFAULT_SCENARIO}.yaml").resolve()

    def display(self, path: Path) -> str:
        """How problems name a file: `scenarios/<name>.yaml` for shipped ones, else relative to the working folder."""
        name = self.name_of(path)
        if name is not None:
            return f"scenarios/{name}.yaml"
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def locate(
        self, ref: str, relative_to: Path | None = None, file: str | None = None, line: int | None = None
    ) -> Path:
        """A shipped name (`leadterra/paused`) or a file path (relative to the file that names it). Raises
        ConfigError naming the file and line that asked for it."""
        base = relative_to.parent if relative_to is not None else Path.cwd()
        if not ref.endswith((".yaml", ".yml")):
            shipped = self.shipped_path(ref)
            if shipped is not None:
                return shipped
        candidate = base / ref
        if _is_file(candidate):
            return candidate.resolve()
        message = f"no scenario named {ref!r} (shipped names: campaign-mock scenarios)"
        raise ConfigError.single(file or ref, line, message)

    def locate_shipped(self, name: str, display: str | None = None) -> Path:
        """A shipped scenario by name only: what the admin API may load (never an arbitrary file)."""
        found = self.shipped_path(name)
        if found is None:
            message = f"no shipped scenario named {name[:100]!r} (send its text as `yaml` instead)"
            raise ConfigError.single(display or name[:100], None, message)
        return found

    def describe(self) -> list[tuple[str, str]]:
        """`(name, description)` of every shipped scenario, sorted by name."""
        out = []
        for name in self.names():
            path = self.shipped_path(name)
            try:
                data, _ = load_yaml(path.read_text(encoding="utf-8"), name) if path else (None, None)
            except ConfigError:
                data = None
            description = data.get("description", "") if isinstance(data, dict) else ""
            out.append((name, str(description)))
        return out


def _relative(path: Path, folder: Path) -> Path | None:
    try:
        return path.relative_to(folder)
    except ValueError:
        return None


def _is_file(path: Path) -> bool:
    """False for anything that is not a readable file name (too long, a NUL byte, ...), not an exception."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False
