"""Is the requester who they say they are? The e-mail domain against the agency directory (pure).

Stolen data starts with a believable e-mail: a free-mail account named after an officer, a domain one
letter off the agency's (``fbi.gop``), a domain with the agency's name and added words
(``fbi-gov.com``, ``europol.europa.eu.secure-mail.net``), letters from another alphabet that look the
same (``fbi.gov`` with a Cyrillic letter for the ``i``, written ``xn--...``), or a real agency's name
from a domain
that is not that agency's. ``check_requester`` says which, as stable reason codes:

- ``ler.free_mail``: a free-mail provider;
- ``ler.lookalike_domain``: within two edits of an official domain, the same once look-alike characters
  are folded, or an official domain or name with words added;
- ``ler.domain_mismatch``: another agency's domain, or a domain that is no agency's.

An official domain of the agency named (or a subdomain of one) raises nothing. A flagged request can only
be verified by a call-back on the directory's number (``ler.service``). A hijacked official mailbox
passes this check: that is why nothing leaves before a person verifies, and why emergencies need a
supervisor and a call-back.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import DamerauLevenshtein

from vigil.errors import InvalidInput
from vigil.ler.directory import Agency, Directory
from vigil.model.reasons import ReasonCode

FREE_MAIL = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
        "ymail.com", "aol.com", "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "pm.me",
        "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com", "yandex.ru", "yandex.com", "mail.ru",
        "zoho.com", "tutanota.com", "tuta.io", "qq.com", "163.com", "126.com", "fastmail.com", "hey.com",
        "inbox.com", "rediffmail.com", "gmx.co.uk", "yahoo.co.uk", "hotmail.co.uk", "outlook.sg",
    }
)  # fmt: skip

# Characters that pass for others in a domain: other alphabets' look-alikes (Cyrillic, Greek, IPA,
# letterlike symbols) and digits for letters.
_CONFUSABLE = str.maketrans(
    {
        "\u0430": "a", "\u0435": "e", "\u043e": "o", "\u0440": "p", "\u0441": "c", "\u0443": "y",
        "\u0445": "x", "\u0456": "l", "\u0458": "j", "\u0501": "d", "\u0455": "s", "\u0261": "g",
        "\u0131": "l", "\u2113": "l", "\u03bf": "o", "\u03b1": "a", "\u03bd": "v", "\u03ba": "k",
        "0": "o", "1": "l", "i": "l", "3": "e", "5": "s",
    }
)  # fmt: skip
_DIGRAPHS = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_EMAIL = re.compile(r"^[^@\s]{1,64}@([^@\s]{1,253})$")
_MAX_EDITS = 2


@dataclass(frozen=True, slots=True)
class DomainCheck:
    domain: str  # as written, lower case (an IDN decoded to Unicode)
    flags: tuple[ReasonCode, ...]  # empty: an official domain of the agency named
    details: tuple[str, ...]  # one sentence per flag

    @property
    def official(self) -> bool:
        return not self.flags


def domain_of(email: str) -> str:
    """The domain of an e-mail address, lower case, an internationalised one decoded; ``InvalidInput``
    on ``officer_email`` if it is no address."""
    m = _EMAIL.match(email.strip())
    if m is None:
        raise InvalidInput(f"{email[:100]!r} is not an e-mail address", field="officer_email")
    domain = m.group(1).rstrip(".").lower()
    labels = []
    for label in domain.split("."):
        if label.startswith("xn--"):
            try:
                label = label[4:].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError):
                raise InvalidInput(
                    f"{domain!r} has a label that is not valid punycode", field="officer_email"
                ) from None
        labels.append(label)
    if not all(labels):
        raise InvalidInput(f"{domain!r} is not a domain name", field="officer_email")
    return ".".join(labels)


def skeleton(domain: str) -> str:
    """What a domain looks like: accents dropped, look-alike characters folded, separators ignored."""
    text = unicodedata.normalize("NFKD", domain.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_CONFUSABLE)
    for pair, single in _DIGRAPHS:
        text = text.replace(pair, single)
    return re.sub(r"[.\-_]", "", text)


def _tokens(domain: str) -> list[str]:
    return [t for t in re.split(r"[.\-_]+", domain) if t]


def _lookalike(domain: str, official: str, agency: Agency) -> str | None:
    """Why ``domain`` imitates ``official`` (one of ``agency``'s domains), or None."""
    if domain == official or domain.endswith("." + official):
        return None
    if skeleton(domain) == skeleton(official):
        return f"{domain} looks like {official} (look-alike characters)"
    edits = DamerauLevenshtein.distance(domain, official)
    if edits <= _MAX_EDITS:
        return f"{domain} is {edits} edit(s) from {official}"
    if official in domain or official.replace(".", "-") in domain:
        return f"{domain} contains {official} with other words"
    tokens = _tokens(domain)
    head = official.split(".")[0]
    names = {head} | {a.casefold() for a in agency.aliases if re.fullmatch(r"[A-Za-z]{3,}", a)}
    folded = [skeleton(t) for t in tokens]
    for name in names:
        if len(name) >= 3 and (name in tokens or skeleton(name) in folded):
            return f"{domain} uses the name {name!r} of {agency.name} outside its domains"
    return None


def check_requester(email: str, agency: Agency, directory: Directory) -> DomainCheck:
    """Flags on the requester's e-mail domain for a request in the name of ``agency``."""
    domain = domain_of(email)
    if agency.official(domain):
        return DomainCheck(domain, (), ())
    flags: list[ReasonCode] = []
    details: list[str] = []
    if domain in FREE_MAIL:
        flags.append(ReasonCode.LER_FREE_MAIL)
        details.append(f"{domain} is a free-mail provider, not an official domain of {agency.name}")
    else:
        for other in (agency, *(a for a in directory.agencies if a is not agency)):
            if other.official(domain):
                continue  # another agency's own domain: a mismatch, said below
            why = next((w for d in other.domains if (w := _lookalike(domain, d, other))), None)
            if why is not None:
                flags.append(ReasonCode.LER_LOOKALIKE_DOMAIN)
                details.append(why)
                break
    owner = directory.owner(domain)
    if not flags or owner is not None:
        flags.append(ReasonCode.LER_DOMAIN_MISMATCH)
        whose = f"an official domain of {owner.name}" if owner is not None else "no agency's official domain"
        details.append(f"{agency.name} writes from {', '.join(agency.domains)}; {domain} is {whose}")
    return DomainCheck(domain, tuple(flags), tuple(details))
