"""Sample committees and meetings for `make run`, at real Seoul places (City Hall and public libraries
from data/seoul/seoul_public_libraries.geojson). Everything here is marked "[예시] / [Sample]"."""
import datetime
import json
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from .models import Committee, Meeting
from .services import committee_create, disclosure_reason_upsert, document_add, meeting_create

LIBRARIES = Path(settings.BASE_DIR) / "data" / "seoul" / "seoul_public_libraries.geojson"
CITY_HALL = dict(place_name="서울특별시청", address="서울특별시 중구 세종대로 110",
                 lon=126.9779692, lat=37.5662952)
LAW = "공공기관의 정보공개에 관한 법률 제9조 제1항"
REASONS = [
    ("art9-1-1", "제1호", "다른 법률 또는 법률에서 위임한 명령에 따라 비밀이나 비공개 사항으로 규정된 정보",
     "Information classified as secret or non-disclosable by another law"),
    ("art9-1-3", "제3호", "공개될 경우 국민의 생명·신체 및 재산의 보호에 현저한 지장을 초래할 우려가 있다고 인정되는 정보",
     "Information whose disclosure would seriously endanger people's lives, bodies or property"),
    ("art9-1-5", "제5호", "감사·감독·검사·시험·규제·입찰계약·기술개발·인사관리에 관한 사항이나 의사결정 과정 또는 내부검토 과정에 있는 사항",
     "Matters of audit, inspection, tender or personnel management, or under decision-making or internal review"),
    ("art9-1-6", "제6호", "성명·주민등록번호 등 개인에 관한 사항으로서 공개될 경우 사생활의 비밀 또는 자유를 침해할 우려가 있다고 인정되는 정보",
     "Personal information whose disclosure would infringe privacy"),
    ("art9-1-7", "제7호", "법인·단체 또는 개인의 경영상·영업상 비밀에 관한 사항",
     "Business or trade secrets of a company, organisation or person"),
]


def _library(name: str) -> dict:
    for feature in json.loads(LIBRARIES.read_text(encoding="utf-8"))["features"]:
        props = feature["properties"]
        if props["도서관명"] == name:
            lon, lat = feature["geometry"]["coordinates"]
            return dict(place_name=name, address=props["주소"], lon=lon, lat=lat)
    raise LookupError(name)


def _committee(name_ko, name_en, **fields) -> Committee:
    existing = Committee.objects.filter(name_ko=name_ko).first()
    return existing or committee_create(name_ko=name_ko, name_en=name_en, **fields)


def _meeting(title_ko, **fields) -> Meeting:
    return Meeting.objects.filter(title_ko=title_ko).first() or meeting_create(title_ko=title_ko, **fields)


def _at(days: int, hour: int = 14) -> datetime.datetime:
    now = timezone.localtime()
    return (now + datetime.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def load_demo(stdout):
    reasons = {code: disclosure_reason_upsert(code=code, legal_basis=f"{LAW} {item}", title_ko=ko, title_en=en,
                                              order=i)
               for i, (code, item, ko, en) in enumerate(REASONS)}
    walking = _committee(
        "[예시] 서울특별시 보행안전위원회", "[Sample] Seoul Pedestrian Safety Committee",
        department_ko="보행정책과", department_en="Pedestrian Policy Division",
        purpose_ko="보행 환경 개선과 어린이 보호구역 안전 정책 심의", purpose_en="Reviews walking and school-zone safety policy",
        legal_basis="[예시] 서울특별시 보행권 확보와 보행환경 개선에 관한 기본 조례",
        members=[("[예시] 김보행", "위원장", "Chair"), ("[예시] 이안전", "부위원장", "Vice-chair"),
                 ("[예시] 박시민", "위원", "Member"), ("[예시] 최교통", "간사", "Secretary")])
    parking = _committee(
        "[예시] 서울특별시 주차정책위원회", "[Sample] Seoul Parking Policy Committee",
        department_ko="주차계획과", department_en="Parking Planning Division",
        purpose_ko="공영주차장 확충과 거주자우선주차 제도 심의", purpose_en="Reviews public car parks and resident parking",
        legal_basis="[예시] 서울특별시 주차장 설치 및 관리 조례",
        members=[("[예시] 정주차", "위원장", "Chair"), ("[예시] 한도로", "위원", "Member")])
    library = _committee(
        "[예시] 서울특별시 공공도서관 운영위원회", "[Sample] Seoul Public Libraries Committee",
        department_ko="문화정책과", department_en="Culture Policy Division",
        purpose_ko="공공도서관 운영과 독서 문화 정책 자문", purpose_en="Advises on public libraries and reading",
        legal_basis="[예시] 도서관법 제30조",
        members=[("[예시] 윤책방", "위원장", "Chair"), ("[예시] 서열람", "위원", "Member")])

    _meeting("[예시] 제3차 주차정책위원회", title_en="[Sample] Parking Policy Committee, 3rd meeting",
             committee=parking, starts_at=_at(-60), ends_at=_at(-60, 16), **CITY_HALL,
             agenda="1. 공영주차장 확충 계획\n2. 거주자우선주차 배정 기준 개정",
             minutes="## 회의록 [예시]\n\n- 마포구·강남구 **공영주차장** 확충 후보지 4곳을 검토하였다.\n"
                     "- 거주자우선주차 배정 기준을 원안대로 의결하였다.",
             attendance="위원장 외 9명 출석 [예시]", attendance_present=10, attendance_total=12,
             decisions="안건 1 원안 가결, 안건 2 수정 가결 [예시]")
    partial = _meeting("[예시] 제2차 보행안전위원회", title_en="[Sample] Pedestrian Safety Committee, 2nd meeting",
                       committee=walking, starts_at=_at(-40), **_library("서울특별시교육청정독도서관"),
                       agenda="어린이 보호구역 보도 정비 사업 대상지 선정",
                       minutes="어린이 보호구역 42곳의 보도 정비 우선순위를 논의하였다. 일부 민원인 관련 발언은 가렸다. [예시]",
                       decisions="우선순위 원안 의결 [예시]", disclosure="partially_disclosed",
                       disclosure_reason=reasons["art9-1-6"],
                       disclosure_note="민원인의 성명과 주소가 담긴 발언은 가렸습니다. [예시]")
    undisclosed = _meeting("[예시] 제1차 보행안전위원회", title_en="[Sample] Pedestrian Safety Committee, 1st meeting",
                           committee=walking, starts_at=_at(-90), **CITY_HALL,
                           agenda="보행 안전시설 설치 용역 입찰 심사",
                           minutes="[예시] 입찰 참가 업체의 기술 평가 내용 (비공개)", disclosure="not_disclosed",
                           disclosure_reason=reasons["art9-1-5"],
                           disclosure_note="입찰 심사 중인 사항으로 계약 체결 후 공개 여부를 다시 검토합니다. [예시]")
    _meeting("[예시] 제4차 공공도서관 운영위원회", title_en="[Sample] Public Libraries Committee, 4th meeting",
             committee=library, starts_at=_at(-3), **_library("서울특별시교육청남산도서관"),
             agenda="야간 개관 시범 운영 결과 보고",
             minutes="야간 개관 시범 운영 결과, 이용자가 늘어 연장 운영을 권고하였다. [예시]",
             minutes_publish_at=_at(14, 9))
    _meeting("[예시] 제4차 주차정책위원회", title_en="[Sample] Parking Policy Committee, 4th meeting (upcoming)",
             committee=parking, starts_at=_at(21), **_library("마포중앙도서관"),
             agenda="공영주차장 요금 체계 개편안")
    _meeting("[예시] 공공도서관 운영위원회 온라인 간담회", title_en="[Sample] Public Libraries Committee online session",
             committee=library, starts_at=_at(-20, 19), online_url="https://www.seoul.go.kr/",
             agenda="작은도서관 지원 방안 의견 수렴", minutes="작은도서관 운영자 12명의 의견을 들었다. [예시]")
    if not partial.documents.exists():
        document_add(meeting=partial, title="[예시] 보도 정비 대상지 목록",
                     file=ContentFile("순번,자치구,대상지\n1,종로구,[예시] 정독도서관 앞\n".encode(), name="sites.csv"))
        document_add(meeting=partial, title="[예시] 민원 접수 원문", disclosure="not_disclosed",
                     disclosure_reason=reasons["art9-1-6"],
                     file=ContentFile("[예시] 개인정보 포함".encode(), name="complaints.txt"))
    if not undisclosed.documents.exists():
        document_add(meeting=undisclosed, title="[예시] 입찰 평가표", disclosure="not_disclosed",
                     disclosure_reason=reasons["art9-1-5"], file=ContentFile(b"[sample]", name="scores.txt"))
    stdout.write(f"meetings: {Committee.objects.count()} committees, {Meeting.objects.count()} meetings (sample)")
