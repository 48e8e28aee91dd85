"""`campaign-mock new-vendor NAME`: the skeleton of a new vendor, written into a source checkout.

In the manner of moto's scaffold script, it writes every place a vendor owns (its spec, its package, its part of
the default scenario, its docs page and its tests) from the templates in `scaffold_templates/`, then adds the one
registry line. The skeleton serves two operations and passes its own tests, ruff and mypy as written, so a new
vendor starts from something that works and grows one documented operation at a time.

Nothing is written unless everything can be: the name, the checkout and every target are checked first.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().with_name("scaffold_templates")
PACKAGE = Path("src/campaign_mock")
REGISTRY = PACKAGE / "vendors" / "registry.py"
MAX_NAME = 30  # keeps every generated line within the line length whatever the name

_NAME = re.compile(rf"[a-z][a-z0-9]{{0,{MAX_NAME - 1}}}")
_REGISTRY_START = "SHIPPED_MODULES = (\n"
_REGISTRY_LINE = re.compile(r'    "([a-z0-9]+)",\n')

# Each template and where it goes in the checkout (`{name}` is the vendor's name).
FILES = (
    ("openapi.yaml.tmpl", "src/campaign_mock/openapi/{name}.yaml"),
    ("vendor_init.py.tmpl", "src/campaign_mock/vendors/{name}/__init__.py"),
    ("state.py.tmpl", "src/campaign_mock/vendors/{name}/state.py"),
    ("handlers.py.tmpl", "src/campaign_mock/vendors/{name}/handlers.py"),
    ("errors.py.tmpl", "src/campaign_mock/vendors/{name}/errors.py"),
    ("variants.py.tmpl", "src/campaign_mock/vendors/{name}/variants.py"),
    ("scenario_default.yaml.tmpl", "src/campaign_mock/scenarios/{name}/default.yaml"),
    ("docs.md.tmpl", "docs/vendors/{name}.md"),
    ("test_vendor.py.tmpl", "tests/vendors/{name}/test_{name}.py"),
)


class ScaffoldError(Exception):
    """Why the skeleton was not written (one line; nothing was written)."""


@dataclass(frozen=True)
class Skeleton:
    """What `new_vendor` wrote: the new files and the registry it added the vendor's line to (checkout-relative)."""

    name: str
    files: tuple[Path, ...]
    registry: Path


def check_name(name: str) -> None:
    if not _NAME.fullmatch(name) or keyword.iskeyword(name):
        raise ScaffoldError(
            f"{name!r} is not a vendor name: 1-{MAX_NAME} lowercase letters and digits, starting with a letter "
            "(and not a Python keyword)"
        )


def new_vendor(name: str, root: Path) -> Skeleton:
    """Write the skeleton of vendor `name` into the checkout at `root` and register it. Raises ScaffoldError,
    having written nothing, for a bad name, a folder that is not a checkout, or a vendor that exists."""
    check_name(name)
    if not (root / PACKAGE).is_dir():
        message = f"is not a campaign-mock source checkout (no {PACKAGE.as_posix()}/); name one with --into"
        raise ScaffoldError(f"{root.resolve()} {message}")
    registry = root / REGISTRY
    lines, shipped = _registry(registry)
    if name in shipped:
        raise ScaffoldError(f"vendor {name!r} exists: {REGISTRY.as_posix()} registers it")
    targets = [(template, Path(target.format(name=name))) for template, target in FILES]
    places = [*(rel for _, rel in targets), PACKAGE / "vendors" / f"{name}.py"]
    clashes = [rel for rel in places if (root / rel).exists()]
    if clashes:
        raise ScaffoldError(f"vendor {name!r} exists: {clashes[0].as_posix()} is already there")
    texts = [(rel, render((TEMPLATE_DIR / template).read_text(encoding="utf-8"), name)) for template, rel in targets]
    written: list[Path] = []
    try:
        for rel, text in texts:
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8", newline="\n") as out:
                written.append(path)
                out.write(text)
        end = lines.index(")\n", lines.index(_REGISTRY_START))
        lines.insert(end, f'    "{name}",\n')
        registry.write_text("".join(lines), encoding="utf-8", newline="")
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise ScaffoldError(f"cannot write the skeleton: {exc}") from None
    return Skeleton(name, tuple(rel for rel, _ in texts), REGISTRY)


def render(template: str, name: str) -> str:
    """A template with `{{name}}` (the vendor's name) and `{{Title}}` (its class-name form) filled in."""
    return template.replace("{{name}}", name).replace("{{Title}}", name.capitalize())


def _registry(path: Path) -> tuple[list[str], list[str]]:
    """The registry's lines, and the shipped vendors its `SHIPPED_MODULES` tuple names (one line each)."""
    try:
        with path.open(encoding="utf-8", newline="") as source:
            lines = source.readlines()
    except OSError:
        raise ScaffoldError(f"cannot read {REGISTRY.as_posix()}: the vendor could not be registered") from None
    where = f"{REGISTRY.as_posix()} has no `SHIPPED_MODULES = (` tuple with one quoted vendor name per line"
    if _REGISTRY_START not in lines or ")\n" not in lines[lines.index(_REGISTRY_START) :]:
        raise ScaffoldError(where)
    start = lines.index(_REGISTRY_START)
    end = lines.index(")\n", start)
    entries = [_REGISTRY_LINE.fullmatch(line) for line in lines[start + 1 : end]]
    if not all(entries):
        raise ScaffoldError(where)
    return lines, [entry.group(1) for entry in entries if entry]
