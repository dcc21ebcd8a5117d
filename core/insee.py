"""Names of the INSEE codes FranceConnect sends for a birthplace and a country of birth.

Not the whole Code officiel géographique: the communes of the demo and the largest cities, and the
countries of birth most frequent in France. Any other code is shown as "code INSEE …", which is
what a person needs to look it up, never as a wrong name.
"""


def _ordinal(n: int) -> str:
    return "1er" if n == 1 else f"{n}e"


COMMUNES: dict[str, str] = {
    # Paris, Lyon and Marseille by arrondissement, as FranceConnect sends them.
    **{f"751{n:02d}": f"Paris {_ordinal(n)} arrondissement" for n in range(1, 21)},
    **{f"6938{n}": f"Lyon {_ordinal(n)} arrondissement" for n in range(1, 10)},
    **{f"132{n:02d}": f"Marseille {_ordinal(n)} arrondissement" for n in range(1, 17)},
    "75056": "Paris",
    "69123": "Lyon",
    "13055": "Marseille",
    "31555": "Toulouse",
    "06088": "Nice",
    "44109": "Nantes",
    "34172": "Montpellier",
    "67482": "Strasbourg",
    "33063": "Bordeaux",
    "59350": "Lille",
    "35238": "Rennes",
    "51454": "Reims",
    "37261": "Tours",
    "37072": "Chinon",
    "23096": "Guéret",
    "93066": "Saint-Denis",
    "97411": "Saint-Denis (La Réunion)",
    "97209": "Fort-de-France",
    "97105": "Basse-Terre",
    "97302": "Cayenne",
    "97611": "Mamoudzou",
}

PAYS: dict[str, str] = {
    "99100": "France",
    "99101": "Danemark",
    "99109": "Allemagne",
    "99127": "Italie",
    "99131": "Belgique",
    "99132": "Royaume-Uni",
    "99134": "Espagne",
    "99139": "Portugal",
    "99140": "Suisse",
    "99122": "Pologne",
    "99114": "Roumanie",
    "99208": "Turquie",
    "99216": "Chine",
    "99223": "Inde",
    "99243": "Viêt Nam",
    "99350": "Maroc",
    "99351": "Tunisie",
    "99352": "Algérie",
    "99341": "Sénégal",
    "99326": "Côte d'Ivoire",
    "99335": "Mali",
    "99322": "Cameroun",
    "99312": "Congo (République démocratique)",
    "99324": "Congo",
    "99336": "Mauritanie",
    "99401": "Canada",
    "99404": "États-Unis",
    "99416": "Brésil",
}
