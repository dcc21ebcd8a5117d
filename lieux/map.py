"""Places drawn as numbered points on the départements map of the dashboard, as inline SVG.

The outlines are the dashboard's (conseillers/dashboard/geometry, from @gouvfr/dsfr-chart, already
projected): no tile server, no script. Their projection is not published, so latitude and longitude
are placed by polynomials fitted (least squares) between the bounding boxes of each département's
communes (core/data/communes.csv.gz) and of its outline: a second degree for the mainland (mean
gap 4 units of 1,010), first degree for Corsica and for each overseas inset. The numbers match the
list beside the map, which is the text alternative: the drawing is hidden from screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from conseillers.dashboard.choropleth import INSET_GAP, INSET_SIZE, INSET_TOP, OVERSEAS, _geometry
from lieux.models import Lieu

MAINLAND = (
    (26.0499, 135.6452, 9.8606, 0.115893, -1.369312, -0.071490),
    (5606.9737, -1.976387, -115.026859, -0.371793, 0.077445, 0.102571),
)
CORSICA = ((264.0288, 87.822563, -2.121517), (5591.4883, 0.412112, -110.729773))
# Overseas insets, each in its own outline's units: x = a + b·lon, y = c + d·lat.
INSETS = {
    "971": (27.520994, 0.445397, 1281.708468, -77.810919),
    "972": (6509.866442, 106.327801, 1630.747864, -109.644113),
    "973": (762.175853, 14.015159, 107.937398, -18.966166),
    "974": (-5878.116004, 106.353646, -1998.824388, -95.73386),
    "976": (-7445.724043, 165.243735, -2343.371886, -184.558597),
}


@dataclass(frozen=True, slots=True)
class Point:
    number: int
    x: float
    y: float
    title: str


@dataclass(frozen=True, slots=True)
class Inset:
    code: str
    x: int
    view_box: str
    path: str
    points: list[Point]
    # The inset's own units per map unit: points and labels keep one size across insets.
    scale: float


def project(departement: str, lat: float, lon: float) -> tuple[float, float]:
    if departement in INSETS:
        a, b, c, d = INSETS[departement]
        return a + b * lon, c + d * lat
    if departement in ("2A", "2B"):
        (x0, x1, x2), (y0, y1, y2) = CORSICA
        return x0 + x1 * lon + x2 * lat, y0 + y1 * lon + y2 * lat
    terms = (1.0, lon, lat, lon * lon, lon * lat, lat * lat)
    return (
        sum(c * t for c, t in zip(MAINLAND[0], terms, strict=True)),
        sum(c * t for c, t in zip(MAINLAND[1], terms, strict=True)),
    )


def build(lieux: list[Lieu]) -> dict:
    geometry = _geometry()
    mainland: list[Point] = []
    overseas: dict[str, list[Point]] = {code: [] for code in OVERSEAS}
    for number, lieu in enumerate(lieux, start=1):
        point = lieu.point
        departement = lieu.commune.departement_id
        if point is None or (departement.startswith("97") and departement not in INSETS):
            continue  # a collectivité without outline: listed, not drawn
        x, y = project(departement, *point)
        drawn = Point(number, round(x, 1), round(y, 1), f"{number}. {lieu.name}")
        (overseas[departement] if departement in INSETS else mainland).append(drawn)
    insets = []
    for index, code in enumerate(OVERSEAS):
        shape = geometry["outre_mer"][code]
        width = float(shape["viewBox"].split()[2])
        insets.append(
            Inset(
                code=code,
                x=index * (INSET_SIZE + INSET_GAP),
                view_box=shape["viewBox"],
                path=shape["d"],
                points=overseas[code],
                scale=width / INSET_SIZE,
            )
        )
    return {
        "view_box": f"0 0 1010 {INSET_TOP + INSET_SIZE}",
        "departements": list(geometry["metropole"]["departements"].values()),
        "points": mainland,
        "insets": insets,
        "inset_top": INSET_TOP,
        "inset_size": INSET_SIZE,
        "count": len(mainland) + sum(len(p) for p in overseas.values()),
    }
