"""The law-enforcement desk: requests from authorities, checked, verified, worked and answered
(docs/ler.md). A service over the ``LerStore`` port beside the security desk, whose actions carry out
freeze orders.

``service.py`` is the request index, intake, verification, subjects and clocks; ``orders.py``
freeze and unfreeze orders and lapses; ``disclosure.py`` the packages; ``directory.py`` the agency directory
(``agencies.yaml``, an example); ``domains.py`` the requester's domain against it; ``legal.py`` what
each legal basis allows; ``clocks.py`` business days and deadlines; ``subjects.py`` subjects hashed
and resolved to accounts; ``package.py`` the signed disclosure archive; ``fold.py`` a request as the
fold of its history. All but ``service.py`` are pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigil.ler.directory import Agency, Directory, load_directory
from vigil.ler.disclosure import Disclosures
from vigil.ler.domains import DomainCheck, check_requester
from vigil.ler.orders import Orders
from vigil.ler.package import Package, Signer, build_package, verify_package
from vigil.ler.service import Act, Intake, LerDesk, LerPolicy, Sources


@dataclass
class LiaisonDesk:
    """Everything the law-enforcement desk's entry points (API, CLI) call."""

    requests: LerDesk
    orders: Orders
    disclosures: Disclosures

    def tick(self, now_us: int | None = None) -> list[str]:
        """Clocks, then freezes' lapses."""
        return self.requests.tick(now_us) + self.orders.tick(now_us)


__all__ = [
    "Act",
    "Agency",
    "Directory",
    "Disclosures",
    "DomainCheck",
    "Intake",
    "LerDesk",
    "LerPolicy",
    "LiaisonDesk",
    "Orders",
    "Package",
    "Signer",
    "Sources",
    "build_package",
    "check_requester",
    "load_directory",
    "verify_package",
]
