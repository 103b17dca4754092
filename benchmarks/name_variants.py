"""A labelled set for name screening, generated from the real lists, and its quality report.

Run ``.venv/bin/python benchmarks/name_variants.py [--per-kind N] [--seed S] [--brute N]``.

Positives are variants of listed names (persons and organisations), each labelled with the entry it
must find: ``script`` (the UN's NAME_ORIGINAL_SCRIPT, Arabic or Cyrillic, queried as written, with
those aliases removed from the index so that only transliteration can find the entry),
``spelling`` (Mohammed/Muhammad, Yusuf/Youssef, kh/h, ou/u...), ``reorder``, ``typo1`` and
``typo2`` (one or two keyboard slips), ``drop_middle`` and ``initials``. Negatives are unlisted
names that look alike: ``same_surname`` and ``same_given`` (one part kept, the other swapped for a
dissimilar common name), ``org_swap`` (an organisation's most distinctive word replaced),
``common_tokens`` (common tokens of the lists combined) and ``common_names`` (ordinary names of
many cultures). A negative is dropped when, compared by metaphone codes, a listed name (of two or
more tokens, or of one rare token) is contained in it or it is contained in a listed name: such a
query *is* a dropped-middle-name variant of a listed party and no screener should call it a
negative. The UN's original-script field sometimes holds a translation or a note rather than the
name ("Islamic State ... - Yemen" in Arabic for "Wilayat al-Yemen"): kept, and counted as misses.

The report gives recall per kind (the expected entry among the search's matches, default limit of
10, at or over the threshold), overall recall and the false-positive rate (a negative hits when any
entry scores at or over the threshold) at several thresholds, and the index's recall against an
exhaustive scan with the same scorer (limit 50 on both sides). Everything is seeded; the
scorer and the default threshold were tuned on seed 1, and the report's default is seed 2 (a set
the scorer was not tuned on).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import jellyfish

from vigil.screening.entries import NameEntry, SubjectKind
from vigil.screening.names import DEFAULT_THRESHOLD, NameIndex, NameQuery
from vigil.screening.sources import names_ofac, names_opensanctions, names_un

LISTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "lists" / "sanctions_names"
POSITIVE = ("script", "spelling", "reorder", "typo1", "typo2", "drop_middle", "initials")
NEGATIVE = ("same_surname", "same_given", "org_swap", "common_tokens", "common_names")
THRESHOLDS = (70.0, 75.0, 80.0, 85.0, 90.0)

# Ordinary names of many cultures (the negatives' "real world", and the re-screening's customers).
GIVEN = {
    "anglo": "James John Robert Michael William David Richard Joseph Thomas Mary Patricia Jennifer Linda "
    "Elizabeth Susan Jessica Sarah Karen Emily Daniel Matthew Anthony Mark Paul Laura Rachel",
    "hispanic": "Jose Juan Luis Carlos Jorge Miguel Pedro Alejandro Fernando Ricardo Maria Guadalupe "
    "Carmen Rosa Ana Lucia Sofia Valentina Camila Isabel Diego Javier Andres Gabriela Elena",
    "arabic": "Mohammed Ahmed Ali Omar Khalid Hassan Hussein Ibrahim Youssef Abdullah Mahmoud Mustafa "
    "Tariq Karim Fatima Aisha Mariam Layla Nour Salma Rania Hala Samir Walid Nabil",
    "russian": "Alexander Sergei Dmitri Andrei Alexei Ivan Mikhail Nikolai Vladimir Pavel Olga Tatiana "
    "Natalia Elena Irina Svetlana Anna Yulia Ekaterina Maxim Artem Igor Oleg Marina Ksenia",
    "chinese": "Wei Fang Min Jing Li Jun Yong Lei Yan Hui Xiaoming Xiu Ying Hong Bo Tao Chen Ping "
    "Jian Hua Lin Qiang Mei Yu Zhen",
    "indian": "Rahul Amit Rajesh Suresh Anil Vijay Sanjay Ravi Arjun Deepak Priya Anjali Sunita Pooja "
    "Neha Kavita Lakshmi Divya Meera Rohan Vikram Aditya Kiran Nisha Sneha",
    "german": "Hans Peter Klaus Jurgen Wolfgang Stefan Andreas Thomas Markus Uwe Ursula Monika Petra "
    "Sabine Renate Claudia Katrin Heike Birgit Lukas Felix Jonas Leon Lena Greta",
    "french": "Jean Pierre Michel Philippe Alain Nicolas Francois Olivier Julien Antoine Marie Nathalie "
    "Isabelle Sylvie Catherine Sophie Camille Chloe Manon Celine Mathieu Guillaume Yves Elise Margaux",
    "turkish": "Mehmet Mustafa Ahmet Emre Murat Burak Hakan Kemal Serkan Oguz Ayse Fatma Emine Zeynep "
    "Elif Merve Esra Hatice Gul Deniz Cem Baris Selin Ozlem Tugba",
    "nigerian": "Chinedu Emeka Oluwaseun Adebayo Tunde Ifeanyi Chukwuma Babatunde Olumide Obinna Ngozi "
    "Chiamaka Adaeze Funmilayo Yetunde Amaka Folake Bisi Kelechi Uche Segun Femi Tope Nkechi Ebuka",
    "vietnamese": "Minh Anh Tuan Hung Duc Thanh Long Quang Hoa Lan Mai Linh Thu Huong Trang Phuong Nam "
    "Hai Son Khanh Vy Thao Dung Hieu Bao",
    "persian": "Reza Ali Hossein Mehdi Amir Saeed Hamid Majid Farhad Behnam Maryam Zahra Fatemeh Narges "
    "Shirin Parisa Leila Niloufar Roya Sara Dariush Kourosh Arash Babak Omid",
}
SURNAMES = {
    "anglo": "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson "
    "Martin Thompson White Harris Clark Lewis Walker Hall Allen Young King Wright",
    "hispanic": "Garcia Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez Torres Flores "
    "Rivera Gomez Diaz Reyes Morales Cruz Ortiz Gutierrez Chavez Ramos Ruiz Alvarez Mendoza Castillo",
    "arabic": "Haddad Khoury Nasser Mansour Saleh Aziz Hamdan Khalil Yassin Darwish Suleiman Farouk "
    "Ghanem Jaber Karam Najjar Qasim Rahman Sabbagh Shami Zayed Bakr Hijazi Issa Masri",
    "russian": "Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Morozov "
    "Volkov Alekseev Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev Orlov Andreev Makarov "
    "Zakharov Zaitsev",
    "chinese": "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng "
    "Liang Xie Song Tang",
    "indian": "Sharma Patel Singh Kumar Gupta Reddy Rao Nair Iyer Mehta Shah Joshi Verma Mishra Chopra "
    "Malhotra Kapoor Das Bose Pillai Menon Agarwal Bhat Desai Pandey",
    "german": "Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter "
    "Klein Wolf Schroder Neumann Schwarz Zimmermann Braun Kruger Hofmann Hartmann Lange Werner Krause",
    "french": "Martin Bernard Dubois Durand Leroy Moreau Laurent Simon Michel Lefebvre Garnier Roux "
    "Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Blanc Guerin Boyer Chevalier Mercier",
    "turkish": "Yilmaz Kaya Demir Sahin Celik Yildiz Yildirim Ozturk Aydin Ozdemir Arslan Dogan Kilic "
    "Aslan Cetin Kara Koc Kurt Ozkan Simsek Polat Erdogan Korkmaz Tekin Aksoy",
    "nigerian": "Okafor Adeyemi Okonkwo Eze Nwosu Balogun Adewale Okeke Olawale Chukwu Obi Ogunleye "
    "Afolabi Nnamdi Onyekachi Ibekwe Adebayo Akande Oyelaran Uzor Nwachukwu Oladipo Ezeh Ojo Bello",
    "vietnamese": "Nguyen Tran Le Pham Hoang Phan Vu Vo Dang Bui Do Ho Ngo Duong Ly Truong Dinh Lam Mai "
    "Trinh Cao Luu Ha Ta Quach",
    "persian": "Hosseini Mohammadi Rezaei Ahmadi Moradi Karimi Jafari Rahimi Sadeghi Hashemi Ebrahimi "
    "Ghasemi Kazemi Najafi Mousavi Tehrani Shirazi Farahani Nazari Bagheri Akbari Salehi Zamani Asadi "
    "Ansari",
}
# Groups of spellings of one name, "|" between groups.
_SPELLINGS = (
    "mohammed muhammad mohamed mohammad mohamad muhammed|yusuf youssef yousef yusef yousif|ahmed ahmad"
    "|hussein husain hussain husayn|hassan hasan|abdul abdel|osama usama|omar umar|abdullah abdallah"
    " abdulla|mustafa mostafa moustafa|ibrahim ebrahim ibraheem|khalid khaled|hamid hamed|mahmoud mahmud"
    "|saeed said sayed|salih saleh|jamal gamal|abu abou|aleksandr alexander aleksander|sergei sergey"
    "|yuri yury iouri|dmitri dmitry dmitriy|nikolai nikolay|alexei aleksey alexey"
)
SPELLINGS = _SPELLINGS.split("|")
# Applied when no table entry fits: one transliteration habit at a time.
_RULES = "ph>f f>ph ou>u oo>u ee>i kh>h q>k ov>off ev>eff ei>ey y>i j>dj sh>ch w>v ll>l ss>s mm>m dd>d"
RULES = tuple((old, new) for rule in _RULES.split(" ") for old, new in [rule.split(">")])
QWERTY = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
_STOP = frozenset(
    (
        *("al", "el", "bin", "ibn", "abu", "de", "la", "del", "van", "von", "der", "da", "di"),
        *("ltd", "llc", "inc", "co", "sa", "jsc", "ooo", "the", "of", "and"),
    )
)


@dataclass(frozen=True, slots=True)
class Item:
    """One labelled query: the text, the entry it must find (None for a negative), its kind."""

    query: str
    expected: str | None
    kind: str
    origin: str  # the listed name it was made from, or "" for invented names


# -- loading ------------------------------------------------------------------------------------


def read(root: Path, *names: str) -> dict[str, str]:
    return {n: (root / n).read_text(encoding="utf-8", errors="replace") for n in names}


def load_lists(root: Path = LISTS, sdn_dir: str = "") -> dict[str, tuple[NameEntry, ...]]:
    """Every name list in ``root`` through the project's importers; ``sdn_dir`` picks another SDN snapshot."""
    sdn = read(root / sdn_dir, "sdn.csv", "alt.csv", "add.csv")
    if not sdn_dir:
        sdn.update(read(root, "sdn_comments.csv"))
    cons = read(root, "cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv")
    os_files = sorted(str(p.relative_to(root)) for p in (root / "opensanctions").glob("*.json"))
    return {
        "ofac_sdn": names_ofac.SDN.parse(sdn).entries,
        "ofac_consolidated": names_ofac.CONSOLIDATED.parse(cons).entries,
        "un": names_un.parse(read(root, "UN_consolidated.xml")).entries,
        "opensanctions": names_opensanctions.parse(read(root, *os_files)).entries,
    }


def latin(text: str) -> bool:
    return all(ord(c) < 0x250 for c in text if c.isalpha())


def without_scripts(entries: Iterable[NameEntry]) -> list[NameEntry]:
    """The entries with their non-Latin aliases removed (the quality index: see the docstring)."""
    return [replace(e, aliases=tuple(a for a in e.aliases if latin(a))) for e in entries]


# -- independent name keys (for labelling, never the matcher's own normaliser) -------------------


def plain_tokens(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return [t for t in ascii_text.lower().split() if t.isascii()]


def sound_key(text: str) -> frozenset[str]:
    return frozenset(jellyfish.metaphone(t) for t in plain_tokens(text) if len(t) > 1 and t not in _STOP)


class Listed:
    """Metaphone keys of every listed name, to keep look-alike negatives truly unlisted."""

    def __init__(self, entries: Iterable[NameEntry]) -> None:
        self._by_token: dict[str, list[frozenset[str]]] = defaultdict(list)
        self._counts: Counter[str] = Counter()
        for entry in entries:
            for name in entry.names:
                key = sound_key(name)
                for t in key:
                    self._by_token[t].append(key)
                    self._counts[t] += 1

    def covers(self, text: str) -> bool:
        """True when ``text`` contains a listed name or is contained in one.

        A listed name of one token counts only when that token is rare (three names or fewer):
        "CHERNOMORNEFTEGAZ CORPORATION" is that party, "Ben Daniel" is not the alias "DANIEL".
        """
        key = sound_key(text)
        if not key:
            return True
        rarest = min(key, key=lambda t: self._counts.get(t, 0))
        if any(key <= other for other in self._by_token.get(rarest, ())):
            return True
        return any(
            other <= key and (len(other) >= 2 or self._counts[t] <= 3)
            for t in key
            for other in self._by_token.get(t, ())
        )


# -- positives ----------------------------------------------------------------------------------


def person_parts(entry: NameEntry) -> tuple[list[str], list[str]] | None:
    """(given names, surname tokens) of a person, from OFAC's "LAST, First" form or capitals."""
    for text in entry.names:
        last, comma, first = text.partition(",")
        if comma and latin(text) and first.split() and last.split():
            return first.split(",")[0].split(), last.split()
    words = entry.name.split()
    if len(words) < 2 or not latin(entry.name):
        return None
    caps = [w for w in words if len(w.strip(".,")) > 1 and w.isupper()]
    if caps and len(caps) < len(words):
        return [w for w in words if w not in caps], caps
    return words[:-1], words[-1:]


def typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(len(word))
    move = rng.choice(("swap", "delete", "insert", "neighbour"))
    if move == "swap" and i < len(word) - 1 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if move == "delete":
        return word[:i] + word[i + 1 :]
    if move == "insert":
        return word[:i] + word[i] + word[i:]
    row = next((r for r in QWERTY if word[i].lower() in r), None)
    if row is None:
        return word[:i] + word[i + 1 :]
    j = row.index(word[i].lower())
    near = row[max(0, j - 1) : j] + row[j + 1 : j + 2]
    return word[:i] + rng.choice(near) + word[i + 1 :]


def spelling(rng: random.Random, words: list[str]) -> list[str] | None:
    groups = {w: g.split() for g in SPELLINGS for w in g.split()}
    options = [i for i, w in enumerate(words) if w.lower() in groups]
    out = list(words)
    if options:
        i = rng.choice(options)
        out[i] = rng.choice([v for v in groups[words[i].lower()] if v != words[i].lower()])
        return out
    rules = [(i, a, b) for i, w in enumerate(words) if len(w) > 3 for a, b in RULES if a in w.lower()]
    if not rules:
        return None
    i, a, b = rng.choice(rules)
    out[i] = words[i].lower().replace(a, b, 1)
    return out


def positive(rng: random.Random, kind: str, entry: NameEntry) -> str | None:
    words = entry.name.split()
    if kind == "reorder":
        if len(words) < 2:
            return None
        shuffled = words[:]
        while shuffled == words:
            rng.shuffle(shuffled)
        return " ".join(shuffled)
    if kind in ("typo1", "typo2"):
        long_words = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
        if not long_words:
            return None
        out = words[:]
        for _ in range(1 if kind == "typo1" else 2):
            i = rng.choice(long_words)
            out[i] = typo(rng, out[i])
        return " ".join(out) if out != words else None
    if kind == "spelling":
        varied = spelling(rng, words)
        return " ".join(varied) if varied else None
    parts = person_parts(entry) if entry.kind is SubjectKind.PERSON else None
    if parts is None:
        return None
    given, surname = parts
    if kind == "drop_middle":
        if len(given) < 2:
            return None
        return " ".join([given[0], *surname])
    if kind == "initials":
        return " ".join([given[0][0] + ".", *given[1:], *surname])
    raise ValueError(kind)


# -- negatives ----------------------------------------------------------------------------------


def pool(table: dict[str, str]) -> list[str]:
    return sorted({n for names in table.values() for n in names.split()})


def unlike(candidate: str, words: Sequence[str]) -> bool:
    return all(jellyfish.jaro_winkler_similarity(candidate.lower(), w.lower()) < 0.8 for w in words)


def negative(
    rng: random.Random, kind: str, entry: NameEntry, common: list[str], orgs: Counter[str]
) -> str | None:
    if kind == "common_tokens":
        return " ".join(rng.sample(common, rng.choice((2, 2, 3))))
    if kind == "common_names":
        culture = rng.choice(sorted(GIVEN))
        return f"{rng.choice(GIVEN[culture].split())} {rng.choice(SURNAMES[culture].split())}"
    if kind == "org_swap":
        words = entry.name.split()
        distinct = [i for i, w in enumerate(words) if w.isalpha() and len(w) > 2 and w.lower() not in _STOP]
        if entry.kind is not SubjectKind.ORGANISATION or not 2 <= len(words) <= 4 or not distinct:
            return None
        i = min(distinct, key=lambda k: (orgs[words[k]], k))  # the most distinctive word
        new = rng.choice(sorted(orgs))
        return " ".join([*words[:i], new, *words[i + 1 :]]) if unlike(new, words) else None
    parts = person_parts(entry) if entry.kind is SubjectKind.PERSON else None
    if parts is None:
        return None
    given, surname = parts
    if kind == "same_surname":
        new = rng.choice(pool(GIVEN))
        return f"{new} {' '.join(surname)}" if unlike(new, given + surname) else None
    if kind == "same_given":
        new = rng.choice(pool(SURNAMES))
        return f"{given[0]} {new}" if unlike(new, given + surname) else None
    raise ValueError(kind)


def generate(entries: Sequence[NameEntry], seed: int, per_kind: int) -> list[Item]:
    """The labelled set: up to ``per_kind`` items of each kind, deterministic for a seed."""
    rng = random.Random(seed)
    ordered = sorted(entries, key=lambda e: e.entry_id)
    items: list[Item] = []
    scripted = [(e, a) for e in ordered for a in e.aliases if not latin(a)]
    for entry, alias in rng.sample(scripted, min(per_kind, len(scripted))):
        items.append(Item(alias, entry.entry_id, "script", entry.name))
    usable = [
        e for e in ordered if latin(e.name) and e.kind in (SubjectKind.PERSON, SubjectKind.ORGANISATION)
    ]
    for kind in POSITIVE[1:]:
        made = 0
        for entry in rng.sample(usable, len(usable)):
            query = positive(rng, kind, entry)
            if query:
                items.append(Item(query, entry.entry_id, kind, entry.name))
                made += 1
                if made == per_kind:
                    break
    listed = Listed(entries)
    counts = Counter(t for e in ordered if e.kind is SubjectKind.PERSON for t in plain_tokens(e.name))
    common = [t.capitalize() for t, _ in counts.most_common(150) if len(t) > 2 and t not in _STOP]
    orgs = Counter(
        w for e in usable if e.kind is SubjectKind.ORGANISATION for w in e.name.split() if w.isalpha()
    )
    for kind in NEGATIVE:
        made = 0
        for _ in range(per_kind * 50):
            entry = rng.choice(usable)
            query = negative(rng, kind, entry, common, orgs)
            if query and not listed.covers(query):
                origin = "" if kind.startswith("common") else entry.name
                items.append(Item(query, None, kind, origin))
                made += 1
                if made == per_kind:
                    break
    return items


# -- evaluation ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the index answered for one item: the expected entry's score and the best score."""

    item: Item
    expected_score: float | None
    top_score: float | None
    top_entry: str | None
    seconds: float


def evaluate(
    index: NameIndex, items: Sequence[Item], floor: float, exhaustive: bool = False
) -> list[Outcome]:
    search = index.search_exhaustive if exhaustive else index.search
    out = []
    for item in items:
        start = time.perf_counter()
        found = search(NameQuery(item.query), threshold=floor)  # the default limit: 10 matches
        seconds = time.perf_counter() - start
        expected = max((m.score for m in found if m.entry_id == item.expected), default=None)
        top = found[0] if found else None
        out.append(
            Outcome(item, expected, top.score if top else None, top.entry_id if top else None, seconds)
        )
    return out


def rates(outcomes: Sequence[Outcome], threshold: float) -> dict[str, tuple[int, int]]:
    """Per kind: (items that hit at ``threshold``, items)."""
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in outcomes:
        score = o.expected_score if o.item.expected is not None else o.top_score
        row = table[o.item.kind]
        row[0] += score is not None and score >= threshold
        row[1] += 1
    return {k: (v[0], v[1]) for k, v in table.items()}


def report(outcomes: Sequence[Outcome], thresholds: Sequence[float]) -> list[str]:
    lines = [f"{'kind':<16}{'n':>6}" + "".join(f"{f'@{t:g}':>9}" for t in thresholds)]
    per = [rates(outcomes, t) for t in thresholds]
    for group, kinds in (("recall", POSITIVE), ("false positives", NEGATIVE)):
        lines.append(f"-- {group}")
        for kind in kinds:
            if kind in per[0]:
                n = per[0][kind][1]
                lines.append(f"{kind:<16}{n:>6}" + "".join(f"{100 * p[kind][0] / n:>8.1f}%" for p in per))
        total = sum(per[0][k][1] for k in kinds if k in per[0])
        cells = "".join(f"{100 * sum(p[k][0] for k in kinds if k in p) / max(total, 1):>8.1f}%" for p in per)
        lines.append(f"{'overall':<16}{total:>6}" + cells)
    return lines


def agreement(index: NameIndex, items: Sequence[Item], threshold: float) -> tuple[int, int, int, int]:
    """(top-1 agreements, queries with an exhaustive top-1, exhaustive hits also found, exhaustive hits).

    A hit is an entry at or over ``threshold``; found means the index returned it with the same score.
    """
    same = tops = found = hits = 0
    for item in items:
        query = NameQuery(item.query)
        fast = {m.entry_id: m.score for m in index.search(query, limit=50, threshold=threshold)}
        full = index.search_exhaustive(query, limit=50, threshold=threshold)
        if full:
            tops += 1
            best = full[0].score
            same += any(fast.get(m.entry_id) == m.score for m in full if m.score == best)
        hits += len(full)
        found += sum(fast.get(m.entry_id) == m.score for m in full)
    return same, tops, found, hits


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--per-kind", type=int, default=400, help="items per kind (default 400)")
    parser.add_argument("--seed", type=int, default=2, help="the set's seed (default 2; tuned on 1)")
    parser.add_argument("--brute", type=int, default=300, help="items also run exhaustively (default 300)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    entries = [e for group in load_lists().values() for e in group]
    index = NameIndex.build(without_scripts(entries))
    print(
        f"lists: {len(entries):,} entries; quality index: {len(index):,} entries, {index.name_count:,} names,"
    )
    print(f"  non-Latin aliases removed; built in {time.perf_counter() - start:.1f} s")
    items = generate(entries, args.seed, args.per_kind)
    print(
        f"labelled set: seed {args.seed}, {len(items):,} items: "
        + ", ".join(f"{k} {n}" for k, n in Counter(i.kind for i in items).items())
    )
    start = time.perf_counter()
    outcomes = evaluate(index, items, min(THRESHOLDS))
    print(f"searched in {time.perf_counter() - start:.1f} s; default threshold {DEFAULT_THRESHOLD:g}")
    print("\n".join(report(outcomes, THRESHOLDS)))
    if args.brute:
        sample = random.Random(args.seed).sample(items, min(args.brute, len(items)))
        for threshold in (min(THRESHOLDS), DEFAULT_THRESHOLD):
            start = time.perf_counter()
            same, tops, found, hits = agreement(index, sample, threshold)
            print(
                f"index vs exhaustive scan over {len(sample)} items ({time.perf_counter() - start:.0f} s),"
                f" threshold {threshold:g}:"
            )
            print(f"  top-1 found with the same score: {same}/{tops} = {100 * same / max(tops, 1):.1f}%")
            print(
                f"  every match found with the same score: {found}/{hits} = {100 * found / max(hits, 1):.1f}%"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
