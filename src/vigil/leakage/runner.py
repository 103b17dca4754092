"""Run the audit end to end: two simulated worlds (reference and target), their rows, the reference model,
the scores, and the verdict against the justified list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vigil.errors import InvalidInput
from vigil.leakage.audit import audit_worlds, reference_model
from vigil.leakage.justify import DEFAULT_JUSTIFIED, load_justified
from vigil.leakage.report import Report
from vigil.leakage.rows import Rows, build_rows
from vigil.leakage.world import World, generator_of, read_world, simulate_world, with_generator
from vigil.sim import TYPOLOGIES, SimConfig
from vigil.sim.lists import DEFAULT_LISTS

DEFAULT_THRESHOLD = 0.8
DEFAULT_CRIME_SCALE = 20.0  # the demo's scale: every typology shows in a few thousand accounts


@dataclass(frozen=True, slots=True)
class AuditSpec:
    """What to audit: the worlds' size, their seeds, the generator, and the verdict's settings."""

    accounts: int = 3_000
    days: float = 3.0
    seed: int = 2  # the target world, scored
    reference_seed: int = 1  # the reference world: encodings and the model are learned here
    generator: int | None = None  # None: the simulator's default generator
    crime_scale: float = DEFAULT_CRIME_SCALE
    threshold: float = DEFAULT_THRESHOLD
    min_positives: int = 10
    trees: int = 200
    lists: Path = DEFAULT_LISTS
    justified: Path = field(default=DEFAULT_JUSTIFIED)
    # Worlds read from files (events, labels: what ``vigil sim`` writes) instead of simulated.
    target_files: tuple[Path, Path] | None = None
    reference_files: tuple[Path, Path] | None = None

    def __post_init__(self) -> None:
        if self.target_files is not None and self.target_files == self.reference_files:
            raise InvalidInput(
                "the reference files must differ from the target's: encodings and the model would be "
                "scored on the rows they learned from",
                field="reference_files",
            )
        if self.target_files is None and self.reference_files is None and self.seed == self.reference_seed:
            raise InvalidInput(
                f"the reference seed must differ from the seed ({self.seed}): "
                "encodings and the model would be scored on the rows they learned from",
                field="reference_seed",
            )
        if not 0.0 < self.threshold < 1.0:
            raise InvalidInput(f"{self.threshold} must be between 0 and 1", field="threshold")
        if self.min_positives < 1:
            raise InvalidInput(f"{self.min_positives} must be at least 1", field="min_positives")
        if self.trees < 1:
            raise InvalidInput(f"{self.trees} must be at least 1", field="trees")

    def config(self, seed: int) -> SimConfig:
        base = SimConfig(accounts=self.accounts, days=self.days, seed=seed, crime_scale=self.crime_scale)
        return with_generator(base, self.generator)


def run_audit(spec: AuditSpec, progress: Callable[[str], None] | None = None) -> Report:
    """Simulate the reference and target worlds, audit every typology, judge against the justified list."""

    def say(text: str) -> None:
        if progress is not None:
            progress(text)

    justified = load_justified(spec.justified, known_typologies=frozenset(TYPOLOGIES))
    worlds: dict[str, Any] = {}

    def rows_of(name: str, seed: int, files: tuple[Path, Path] | None) -> Rows:
        # One world at a time: its events are dropped once replayed into rows.
        if files is None:
            config = spec.config(seed)
            say(f"simulating the {name} world (seed {seed})")
            world = simulate_world(config, lists=spec.lists)
            worlds[name] = {
                "seed": seed,
                "generator": generator_of(config),
                "accounts": spec.accounts,
                "days": spec.days,
                "crime_scale": spec.crime_scale,
            }
        else:
            say(f"reading the {name} world from {files[0]} and {files[1]}")
            world = _read_files(*files)
            worlds[name] = {"events_file": str(files[0]), "labels_file": str(files[1])}
        worlds[name]["events"] = len(world.events)
        say(f"replaying {len(world.events):,} {name} events through the catalog")
        return build_rows(world.events, world.labels)

    reference = rows_of("reference", spec.reference_seed, spec.reference_files)
    target = rows_of("target", spec.seed, spec.target_files)
    say(f"training the reference model ({spec.trees} trees)")
    model = reference_model(reference, trees=spec.trees)
    say("scoring every input")
    audits = audit_worlds(
        reference, target, typologies=TYPOLOGIES, model=model, min_positives=spec.min_positives
    )
    return Report(audits, spec.threshold, justified, worlds)


def _read_files(events: Path, labels: Path) -> World:
    try:
        with events.open("rb") as ev, labels.open("rb") as lab:
            return read_world(ev, lab)
    except OSError as exc:
        raise InvalidInput(f"cannot read {exc.filename}: {exc.strerror}", field="files") from None
