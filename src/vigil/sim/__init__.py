"""A synthetic exchange with labelled crime: the ground truth Vigil is scored against.

``write_simulation(SimConfig(...), events, labels, claims)`` streams a seeded run to files;
``vigil sim`` is its command. docs/simulator.md documents every distribution and typology.
The small ``example_stream`` stays for unit tests that want typed events in memory.
"""

from vigil.sim.config import REGIONS, TYPOLOGIES, SimConfig
from vigil.sim.example import example_stream
from vigil.sim.files import write_simulation
from vigil.sim.run import SimSummary

__all__ = ["REGIONS", "TYPOLOGIES", "SimConfig", "SimSummary", "example_stream", "write_simulation"]
