"""Name screening: people, companies and vessels against sanctions and PEP lists (pure).

``NameIndex.build(entries).search(NameQuery(...))`` screens one party; ``CustomerIndex`` answers
the opposite question after a list change: which customers does this new entry hit. Both use one
``Scorer``, so a pair scores the same whichever way it is found.
"""

from vigil.screening.names.customers import Customer, CustomerIndex, CustomerMatch
from vigil.screening.names.evidence import Evidence, Fact, Verdict
from vigil.screening.names.index import DEFAULT_THRESHOLD, NameIndex
from vigil.screening.names.normalise import normalise
from vigil.screening.names.results import NameMatch, NameQuery, TokenPair
from vigil.screening.names.scorer import Scorer
from vigil.screening.names.tokens import TokenWeights

__all__ = [
    "DEFAULT_THRESHOLD",
    "Customer",
    "CustomerIndex",
    "CustomerMatch",
    "Evidence",
    "Fact",
    "NameIndex",
    "NameMatch",
    "NameQuery",
    "Scorer",
    "TokenPair",
    "TokenWeights",
    "Verdict",
    "normalise",
]
