"""Demo analyses over the real Seoul open data (idempotent): run once, published, left alone after."""
from django.contrib.auth import get_user_model

from layers.models import Dataset

from .models import Analysis
from .services import analysis_create, analysis_publish, analysis_run

DEMO_ANALYSES = [
    dict(
        name="공중화장실 접근성 (500m 육각형 셀)",
        former_name="공중화장실 접근성 (Public-toilet coverage per 500 m hex cell)",  # (the name of older demo loads)
        method="coverage",
        parameters={"source": "dataset-seoul_public_toilets", "hex_size_m": 500, "threshold_m": 500},
        description="서울의 각 500m 육각형 셀 중심에서 가장 가까운 공중화장실까지의 거리. 500m보다 먼 셀은 접근 취약 지역입니다.",
        caveats="직선 거리이며 보행 경로가 아닙니다. 공공데이터에는 개방시간이 정해진 건물 안 화장실도 포함됩니다.",
    ),
    dict(
        name="공중화장실 밀도 핫스팟",
        former_name="공중화장실 밀도 핫스팟 (Public-toilet hotspots)",  # (the name of older demo loads)
        method="hotspot",
        parameters={"source": "dataset-seoul_public_toilets", "bandwidth_m": 500, "cell_size_m": 100,
                    "hex_size_m": 1000, "classes": 5},
        description="공중화장실의 커널 밀도(래스터)와 밀도 등급, 1km 육각형 셀의 Getis-Ord Gi* 핫스팟.",
        caveats="4차(quartic) 커널, 대역폭 500m, EPSG:5186의 100m 셀. 밀도는 수요와 설치 위치를 함께 반영합니다.",
    ),
    dict(
        name="행정동별 주민 1만 명당 공공도서관",
        former_name="행정동별 주민 1만 명당 공공도서관 (Libraries per 10,000 residents per dong)",  # (the name of older demo loads)
        method="aggregation",
        parameters={"source": "dataset-seoul_public_libraries", "unit": "dong", "measure": "per_population",
                    "per": 10000},
        description="행정동별 공공도서관 수를 주민등록 인구 1만 명당으로 나타냈습니다.",
        caveats="인구는 행정안전부 주민등록 인구(data/seoul/SOURCES.md)입니다. 인구가 적은 동은 도서관 하나로 값이 크게 "
                "달라집니다.",
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
        spec = dict(spec)
        names_ever = [spec["name"], spec.pop("former_name")]
        analysis = Analysis.objects.filter(name__in=names_ever, created_by=analyst).first()
        if analysis is None:
            analysis = analysis_create(user=analyst, **spec)
        if analysis.status != Analysis.Status.SUCCEEDED:
            analysis = analysis_run(analysis=analysis, user=analyst, inline=True)
        if analysis.status == Analysis.Status.SUCCEEDED and not analysis.is_published:
            analysis_publish(analysis=analysis, user=analyst)
        names.append(f"{analysis.method} #{analysis.pk} ({analysis.status})")
    stdout.write(f"analyses: {', '.join(names)}")
