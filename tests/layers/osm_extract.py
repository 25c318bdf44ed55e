"""A small real OpenStreetMap extract (.osm XML) written from the repository's Seoul data, for the base-map loader's
tests: nothing is invented. Nodes: the subway stations near Gangnam (data/seoul/seoul_subway_stations.geojson,
tagged as OSM tags stations: railway=station, name, name:ko). Ways: 역삼1동's outline as a closed way tagged as an
administrative boundary (an area), and the first stretch of 강남구's outline as an open way (a line), both from
data/seoul's dong and gu outlines."""
import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

from django.conf import settings

SEOUL = Path(settings.BASE_DIR) / "data" / "seoul"
NEAR_GANGNAM = (127.02, 37.49, 127.06, 37.51)  # west, south, east, north


def _features(name):
    return json.loads((SEOUL / f"{name}.geojson").read_text())["features"]


def _outer_ring(feature):
    geometry = feature["geometry"]
    polygon = geometry["coordinates"][0] if geometry["type"] == "MultiPolygon" else geometry["coordinates"]
    return polygon[0]


def write_extract(path: Path) -> dict:
    """Write the extract; answer what it holds (station names, the dong's and the gu's names, vertex counts)."""
    west, south, east, north = NEAR_GANGNAM
    stations = {}
    for f in _features("seoul_subway_stations"):
        lon, lat = f["geometry"]["coordinates"]
        if west <= lon <= east and south <= lat <= north:
            stations.setdefault(f["properties"]["역사명"], (lon, lat))  # a transfer station once
    dong = next(f for f in _features("seoul_dong") if f["properties"]["name"] == "역삼1동")
    gu = next(f for f in _features("seoul_gu") if f["properties"]["name"] == "강남구")
    dong_ring = _outer_ring(dong)
    gu_stretch = _outer_ring(gu)[:40]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="geoplatform tests">']
    next_id = 1
    for name, (lon, lat) in sorted(stations.items()):
        lines.append(f'<node id="{next_id}" lat="{lat}" lon="{lon}" version="1">'
                     f'<tag k="railway" v="station"/><tag k="name" v={quoteattr(name)}/>'
                     f'<tag k="name:ko" v={quoteattr(name)}/></node>')
        next_id += 1

    def way(way_id, coordinates, closed, tags):
        nonlocal next_id
        refs = []
        for lon, lat in coordinates[:-1] if closed else coordinates:
            lines.append(f'<node id="{next_id}" lat="{lat}" lon="{lon}" version="1"/>')
            refs.append(next_id)
            next_id += 1
        if closed:
            refs.append(refs[0])
        body = "".join(f'<nd ref="{ref}"/>' for ref in refs) + "".join(
            f'<tag k="{k}" v={quoteattr(v)}/>' for k, v in tags.items())
        lines.append(f'<way id="{way_id}" version="1">{body}</way>')

    way(1001, dong_ring, True, {"boundary": "administrative", "admin_level": "8", "name": "역삼1동", "name:ko": "역삼1동",
                                "name:en": dong["properties"]["name_eng"]})
    way(1002, gu_stretch, False, {"boundary": "administrative", "admin_level": "6", "name": "강남구", "name:ko": "강남구",
                                  "name:en": gu["properties"]["name_eng"]})
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return {"stations": sorted(stations), "dong_vertices": len(dong_ring), "gu_vertices": len(gu_stretch)}
