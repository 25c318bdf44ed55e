"""Demo analyses over the real Seoul open data (idempotent): run once, published, left alone after."""
from django.contrib.auth import get_user_model

from layers.models import Dataset

from .models import Analysis
from .services import analysis_create, analysis_publish, analysis_run

DEMO_ANALYSES = [
    dict(
        name="공중화장실 접근성 (Public-toilet coverage per 500 m hex cell)",
        method="coverage",
        parameters={"source": "dataset-seoul_public_toilets", "hex_size_m": 500, "threshold_m": 500},
        description="서울의 각 500m 육각형 셀 중심에서 가장 가까운 공중화장실까지의 거리. 500m보다 먼 셀은 접근 취약 지역입니다. / "
                    "Distance from the centre of every 500 m hex cell in Seoul to the nearest public toilet; cells "
                    "farther than 500 m are under-served.",
        caveats="Straight-line distances, not walking routes; the open dataset lists toilets open to the public "
                "(including those in buildings with opening hours). / 직선 거리이며 보행 경로가 아닙니다.",
    ),
    dict(
        name="공중화장실 밀도 핫스팟 (Public-toilet hotspots)",
        method="hotspot",
        parameters={"source": "dataset-seoul_public_toilets", "bandwidth_m": 500, "cell_size_m": 100,
                    "hex_size_m": 1000, "classes": 5},
        description="공중화장실의 커널 밀도(래스터)와 밀도 등급, 1km 육각형 셀의 Getis-Ord Gi* 핫스팟. / "
                    "Kernel density of public toilets (raster), density classes, and Getis-Ord Gi* hot spots per "
                    "1 km hex cell.",
        caveats="Quartic kernel, 500 m bandwidth, 100 m cells in EPSG:5186. Dense areas reflect both need and "
                "where the city installed toilets. / 밀도는 수요와 설치 위치를 함께 반영합니다.",
    ),
    dict(
        name="행정동별 주민 1만 명당 공공도서관 (Libraries per 10,000 residents per dong)",
        method="aggregation",
        parameters={"source": "dataset-seoul_public_libraries", "unit": "dong", "measure": "per_population",
                    "per": 10000},
        description="행정동별 공공도서관 수를 주민등록 인구 1만 명당으로 나타냈습니다. / Public libraries per 10,000 "
                    "registered residents in each administrative dong.",
        caveats="Resident counts are MOIS registrations (data/seoul/SOURCES.md); small dongs swing widely with one "
                "library. / 인구가 적은 동은 도서관 하나로 값이 크게 달라집니다.",
    ),
]


def load_demo(stdout):
    analyst = get_user_model().objects.filter(username="analyst").first()
    if analyst is None or not Dataset.objects.filter(slug__in=["seoul_public_toilets",
                                                                "seoul_public_libraries"]).count() == 2:
        stdout.write("analyses: skipped (needs the demo analyst and the open-data layers)")
        return
    names = []
    for spec in DEMO_ANALYSES:
        analysis = Analysis.objects.filter(name=spec["name"], created_by=analyst).first()
        if analysis is None:
            analysis = analysis_create(user=analyst, **spec)
        if analysis.status != Analysis.Status.SUCCEEDED:
            analysis = analysis_run(analysis=analysis, user=analyst, inline=True)
        if analysis.status == Analysis.Status.SUCCEEDED and not analysis.is_published:
            analysis_publish(analysis=analysis, user=analyst)
        names.append(f"{analysis.method} #{analysis.pk} ({analysis.status})")
    stdout.write(f"analyses: {', '.join(names)}")
