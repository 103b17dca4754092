"""Customers' names and dates of birth, so that KYC submissions can be name-screened.

Names are drawn from per-region pools of common given names and surnames (a fifth of customers
also have a middle name). The draw is a digest of (seed, account), not the run's random stream:
adding names changed no other event of a seeded world. Common names are kept on purpose: a
screener has to tell "Mohammed Khan" the customer from a listed namesake by date of birth and
nationality, which is the false-positive pressure real exchanges live with.
"""

from __future__ import annotations

from vigil.sim.addresses import digest

_POOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ID": (
        ("Budi", "Siti", "Agus", "Dewi", "Andi", "Rina", "Joko", "Putri", "Hendra", "Ayu", "Rizky", "Nur",
         "Wahyu", "Sri", "Fajar", "Indah"),
        ("Santoso", "Wijaya", "Saputra", "Pratama", "Hidayat", "Kusuma", "Lestari", "Setiawan", "Nugroho",
         "Siregar", "Hasibuan", "Halim", "Gunawan", "Susanto"),
    ),
    "SEA": (
        ("Minh", "Linh", "Anh", "Somchai", "Niran", "Juan", "Maria", "Jose", "Ahmad", "Thanh", "Hoa",
         "Kittisak", "Ploy", "Mark", "Angelica", "Farah"),
        ("Nguyen", "Tran", "Le", "Pham", "Srisai", "Wongsa", "Santos", "Reyes", "Cruz", "Garcia", "Tan",
         "Lim", "Abdullah", "Rahman"),
    ),
    "SA": (
        ("Rahul", "Priya", "Amit", "Sunita", "Mohammed", "Fatima", "Arjun", "Anjali", "Imran", "Ayesha",
         "Ravi", "Deepa", "Sanjay", "Nadia", "Vikram", "Kavita"),
        ("Sharma", "Patel", "Khan", "Singh", "Kumar", "Gupta", "Hussain", "Reddy", "Das", "Chowdhury",
         "Iyer", "Ahmed", "Malik", "Rao"),
    ),
    "CIS": (
        ("Ivan", "Olga", "Dmitry", "Elena", "Sergey", "Natalia", "Alexei", "Irina", "Nurlan", "Aigerim",
         "Timur", "Svetlana", "Andrei", "Yulia", "Rustam", "Dilnoza"),
        ("Ivanov", "Petrova", "Smirnov", "Kuznetsova", "Popov", "Volkov", "Sokolov", "Morozova", "Lebedev",
         "Novikova", "Kozlov", "Pavlov", "Tursunov", "Abdullaev"),
    ),
    "LATAM": (
        ("Juan", "Maria", "Carlos", "Ana", "Luis", "Camila", "Jorge", "Valentina", "Diego", "Sofia", "Pedro",
         "Lucia", "Miguel", "Gabriela", "Andres", "Fernanda"),
        ("Garcia", "Rodriguez", "Martinez", "Lopez", "Gonzalez", "Hernandez", "Perez", "Sanchez", "Ramirez",
         "Torres", "Flores", "Rivera", "Gomez", "Diaz", "Silva"),
    ),
    "EU": (
        ("Thomas", "Anna", "Lukas", "Marie", "Jan", "Sophie", "Luca", "Giulia", "Pierre", "Camille", "Pablo",
         "Laura", "Piotr", "Katarzyna", "Erik", "Ingrid"),
        ("Muller", "Schmidt", "Rossi", "Bianchi", "Dubois", "Martin", "Kowalski", "Nowak", "Jansen",
         "de Vries", "Fernandez", "Moreau", "Weber", "Lindqvist", "Horvath"),
    ),
    "AF": (
        ("Chinedu", "Amina", "Kwame", "Abena", "Tunde", "Ngozi", "Samuel", "Grace", "Ibrahim", "Zainab",
         "Joseph", "Mercy", "Kofi", "Aisha", "David", "Fatou"),
        ("Okafor", "Mensah", "Adeyemi", "Okonkwo", "Mwangi", "Ochieng", "Diallo", "Ndlovu", "Abubakar",
         "Boateng", "Nkosi", "Kamau", "Bello", "Traore", "Osei"),
    ),
    "NA": (
        ("James", "Mary", "John", "Patricia", "Michael", "Jennifer", "David", "Linda", "Robert", "Emily",
         "William", "Sarah", "Daniel", "Jessica", "Matthew", "Ashley"),
        ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
         "Thomas", "Moore", "Jackson", "White", "Harris"),
    ),
}  # fmt: skip


def full_name(seed: int, region: str, account_id: str) -> str:
    """A stable name for the account: given name, sometimes a middle name, surname."""
    given, surnames = _POOLS[region]
    d = digest(seed, "name", account_id, size=8)
    first, middle = given[d[0] % len(given)], given[d[1] % len(given)]
    surname = surnames[d[2] % len(surnames)]
    if d[3] % 5 == 0 and middle != first:
        return f"{first} {middle} {surname}"
    return f"{first} {surname}"


def birth_date(seed: int, account_id: str, year: int) -> str:
    """An ISO date of birth in ``year`` (day 1-28, so every month has it)."""
    d = digest(seed, "born", account_id, size=4)
    return f"{year:04d}-{d[0] % 12 + 1:02d}-{d[1] % 28 + 1:02d}"
