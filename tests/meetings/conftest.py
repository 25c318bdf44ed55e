import datetime

import pytest
from django.utils import timezone

from meetings.services import committee_create, disclosure_reason_upsert, meeting_create

KST = datetime.timezone(datetime.timedelta(hours=9))
CITY_HALL = (126.9779692, 37.5662952)  # 서울특별시청, 세종대로 110
NAMSAN_LIBRARY = (126.9815, 37.5529)


def at(year, month, day, hour=14):
    return datetime.datetime(year, month, day, hour, tzinfo=KST)


@pytest.fixture
def reason(db):
    return disclosure_reason_upsert(code="art9-1-5", legal_basis="공공기관의 정보공개에 관한 법률 제9조 제1항 제5호",
                                    title_ko="의사결정 과정 또는 내부검토 과정에 있는 사항",
                                    title_en="Matters under decision-making or internal review")


@pytest.fixture
def committees(db):
    transport = committee_create(name_ko="서울특별시 교통위원회", name_en="Seoul Transport Committee",
                                 department_ko="교통정책과", department_en="Transport Policy Division",
                                 purpose_ko="교통 정책 심의", legal_basis="서울특별시 교통위원회 조례",
                                 members=[("김서울", "위원장", "Chair"), ("이한강", "위원", "Member")])
    welfare = committee_create(name_ko="서울특별시 복지위원회", name_en="Seoul Welfare Committee",
                               department_ko="복지정책과", department_en="Welfare Policy Division")
    return {"transport": transport, "welfare": welfare}


@pytest.fixture
def meetings(committees, reason):
    """Six meetings held in 2024 and 2025 (three disclosed, two partially, one not) and one upcoming."""
    transport, welfare = committees["transport"], committees["welfare"]
    place = dict(place_name="서울특별시청", address="서울특별시 중구 세종대로 110", lon=CITY_HALL[0], lat=CITY_HALL[1])
    made = {
        "parking": meeting_create(committee=transport, title_ko="2025년 제3차 교통위원회", starts_at=at(2025, 9, 2),
                                  agenda="1. 자치구 교통 현안 보고", minutes="공영주차장 확충 계획을 논의하였다.",
                                  decisions="원안 가결", **place),
        "bus": meeting_create(committee=transport, title_ko="2025년 제2차 교통위원회", starts_at=at(2025, 5, 7),
                              agenda="버스 노선 조정", minutes="심야버스 노선을 검토하였다.",
                              disclosure="partially_disclosed", disclosure_reason=reason,
                              disclosure_note="개인정보가 포함된 발언은 가렸습니다.", **place),
        "secret": meeting_create(committee=transport, title_ko="2025년 제1차 교통위원회", starts_at=at(2025, 2, 4),
                                 agenda="요금 체계 검토", minutes="택시요금 인상안 비밀논의 내용",
                                 disclosure="not_disclosed", disclosure_reason=reason, **place),
        "welfare24a": meeting_create(committee=welfare, title_ko="2024년 제1차 복지위원회", starts_at=at(2024, 3, 5),
                                     agenda="돌봄 사업", minutes="돌봄센터 운영을 보고받았다.",
                                     online_url="https://meet.example.org/welfare"),
        "welfare24b": meeting_create(committee=welfare, title_ko="2024년 제2차 복지위원회", starts_at=at(2024, 9, 10),
                                     agenda="경로당 지원", minutes="경로당 냉방비 지원을 의결하였다.",
                                     disclosure="partially_disclosed", disclosure_reason=reason,
                                     online_url="https://meet.example.org/welfare"),
        "welfare25": meeting_create(committee=welfare, title_ko="2025년 제1차 복지위원회", starts_at=at(2025, 4, 1),
                                    agenda="장애인 이동 지원", minutes="저상버스 도입을 논의하였다.",
                                    place_name="남산도서관", address="서울특별시 용산구 소월로 109",
                                    lon=NAMSAN_LIBRARY[0], lat=NAMSAN_LIBRARY[1]),
        "upcoming": meeting_create(committee=transport, title_ko="2099년 제1차 교통위원회",
                                   starts_at=timezone.now() + datetime.timedelta(days=30),
                                   agenda="보행 안전", **place),
    }
    return made
