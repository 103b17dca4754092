"""Run the audit end to end: two simulated worlds (reference and target), their rows, the reference model,
the scores, and the verdict against the justified list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vigil.errors import InvalidInput
from vigil.leakage.audit import audit_worlds, reference_model
from vigil.leakage.justify import DEFAULT_JUSTIFIED, load_justified
from vigil.leakage.report import Report
from vigil.leakage.rows import Rows, build_rows
from vigil.leakage.world import generator_of, simulate_world, with_generator
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

    def __post_init__(self) -> None:
        if self.seed == self.reference_seed:
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
    reference_config = spec.config(spec.reference_seed)
    target_config = spec.config(spec.seed)
    sizes: dict[str, int] = {}

    def rows_of(name: str, config: SimConfig) -> Rows:
        # One world at a time: its events are dropped once replayed into rows.
        say(f"simulating the {name} world (seed {config.seed})")
        world = simulate_world(config, lists=spec.lists)
        sizes[name] = len(world.events)
        say(f"replaying {len(world.events):,} {name} events through the catalog")
        return build_rows(world.events, world.labels)

    reference = rows_of("reference", reference_config)
    target = rows_of("target", target_config)
    say(f"training the reference model ({spec.trees} trees)")
    model = reference_model(reference, trees=spec.trees)
    say("scoring every input")
    audits = audit_worlds(
        reference, target, typologies=TYPOLOGIES, model=model, min_positives=spec.min_positives
    )
    worlds = {
        "accounts": spec.accounts,
        "days": spec.days,
        "crime_scale": spec.crime_scale,
        "generator": generator_of(target_config),
        "seed": spec.seed,
        "reference_seed": spec.reference_seed,
        "target_events": sizes["target"],
        "reference_events": sizes["reference"],
    }
    return Report(audits, spec.threshold, justified, worlds)
