"""Demo city projects for `make run`, at real Seoul places from data/seoul/: Teheran-ro and Jongno traced
through their real subway stations (the streets run above Line 2 and Line 1), Seoul Plaza at City Hall
station, Seogyo-dong's real boundary, Seolleung station's bus stop. Marked "[예시] / [Sample]".

Idempotent (a second run finds the sample projects and changes nothing); written through the services.
"""
import datetime
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry, LineString, Point

from .models import Project
from .services import project_change, project_create, project_follow, update_post

DATA = Path(settings.BASE_DIR) / "data" / "seoul"
MARK = "[예시]"
TEHERAN_RO = ("0222", "0221", "0220", "0219")  # 강남, 역삼, 선릉, 삼성: Teheran-ro above Line 2
JONGNO = ("151", "152", "153", "154", "155")  # 시청, 종각, 종로3가, 종로5가, 동대문: Jongno above Line 1


def _stations() -> dict:
    features = json.loads((DATA / "seoul_subway_stations.geojson").read_text(encoding="utf-8"))["features"]
    return {f["properties"]["역사_ID"]: tuple(f["geometry"]["coordinates"]) for f in features}


def _dong(name_ko: str) -> GEOSGeometry:
    features = json.loads((DATA / "seoul_dong.geojson").read_text(encoding="utf-8"))["features"]
    feature = next(f for f in features if f["properties"]["name"] == name_ko)
    return GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)


def _meeting(title_ko: str):
    from meetings.models import Meeting

    return list(Meeting.objects.filter(title_ko=title_ko).values_list("pk", flat=True))


def _decision_demo(staff, stdout) -> None:
    """The campaigns sample's evaluated proposal is accepted with the officials' feedback: a new project."""
    from campaigns.demo import EVALUATED
    from campaigns.models import Proposal

    from .services import proposal_decide

    proposal = Proposal.objects.filter(title=EVALUATED, state="evaluation").first()
    if proposal is None:
        return
    _proposal, project = proposal_decide(
        actor=staff, proposal=proposal, outcome="accepted",
        feedback="여름 전에 설치하겠습니다. 진행 상황은 사업 페이지에서 알려 드립니다.",
        new_project={"title_ko": f"{MARK} 선릉역 정류장 그늘막 설치", "title_en": "[Sample] Shade at the Seolleung bus stop",
                     "department_ko": "기후환경본부", "department_en": "Climate and Environment Headquarters",
                     "district_codes": ["11680"], "budget_planned": proposal.budget_estimate or 0})
    stdout.write(f"projects: the sample proposal {proposal.pk} is accepted and became project {project.pk}")


def load_demo(stdout):
    staff = get_user_model().objects.filter(username="staff").first()
    if staff is not None:
        _decision_demo(staff, stdout)
    if Project.objects.filter(title_ko__startswith=MARK).exclude(proposals__isnull=False).exists():
        stdout.write(f"projects: sample projects already loaded ({Project.objects.count()} projects)")
        return
    users = {u.username: u for u in get_user_model().objects.filter(username__in=("staff", "citizen", "citizen2"))}
    staff = users["staff"]
    stations = _stations()
    today = datetime.date.today()

    bike = project_create(
        actor=staff, title_ko=f"{MARK} 테헤란로 자전거도로", title_en="[Sample] Teheran-ro protected bike lane",
        description_ko="강남역에서 삼성역까지 테헤란로 양방향에 분리형 자전거도로를 놓습니다.",
        description_en="A protected two-way bike lane along Teheran-ro from Gangnam to Samseong station.",
        department_ko="도시교통실", department_en="Urban Transportation Office", district_codes=["11680"],
        geom=LineString([stations[i] for i in TEHERAN_RO], srid=4326), budget_planned=4_200_000_000,
        budget_spent=1_350_000_000, starts_on=today - datetime.timedelta(days=120),
        ends_on=today + datetime.timedelta(days=300), status="in_progress", progress=35,
        meeting_ids=_meeting("[예시] 제2차 보행안전위원회"))
    for name in ("citizen", "citizen2"):
        if name in users:
            project_follow(project=bike, user=users[name])
    update_post(actor=staff, project=bike, date=today - datetime.timedelta(days=90),
                text_ko="강남역~역삼역 구간 공사를 시작했습니다.", text_en="Work began between Gangnam and Yeoksam.", progress=10)
    update_post(actor=staff, project=bike, date=today - datetime.timedelta(days=20),
                text_ko="역삼역~선릉역 구간 차로 조정을 마쳤습니다.", text_en="Lanes between Yeoksam and Seolleung are rearranged.",
                progress=35)

    jongno = project_create(
        actor=staff, title_ko=f"{MARK} 종로 보행친화거리", title_en="[Sample] Jongno pedestrian-friendly street",
        description_ko="시청역에서 동대문역까지 종로의 보도를 넓히고 버스 정류장을 정비합니다.",
        description_en="Wider pavements and new bus stops along Jongno from City Hall to Dongdaemun.",
        department_ko="도시교통실", department_en="Urban Transportation Office", district_codes=["11110", "11140"],
        geom=LineString([stations[i] for i in JONGNO], srid=4326), budget_planned=9_800_000_000,
        starts_on=today + datetime.timedelta(days=60), ends_on=today + datetime.timedelta(days=800))
    update_post(actor=staff, project=jongno, date=today - datetime.timedelta(days=5),
                text_ko="주민 설명회를 종로구청에서 열었습니다.", text_en="A residents' briefing was held at Jongno-gu office.")

    plaza = project_create(
        actor=staff, title_ko=f"{MARK} 서울광장 그늘막", title_en="[Sample] Shade canopies on Seoul Plaza",
        department_ko="균형발전본부", department_en="Balanced Development Headquarters", district_codes=["11140"],
        geom=Point(stations["151"], srid=4326), budget_planned=30_000_000, budget_spent=28_500_000,
        starts_on=today - datetime.timedelta(days=200), ends_on=today - datetime.timedelta(days=150), status="done")
    update_post(actor=staff, project=plaza, date=today - datetime.timedelta(days=150),
                text_ko="그늘막 12개 설치를 마쳤습니다.", text_en="Twelve canopies are up.", status="done")

    seogyo = project_create(
        actor=staff, title_ko=f"{MARK} 서교동 골목길 재생", title_en="[Sample] Seogyo-dong alley regeneration",
        department_ko="도시재생실", department_en="Urban Regeneration Bureau", district_codes=["11440"],
        geom=_dong("서교동"), budget_planned=2_500_000_000, budget_spent=600_000_000,
        starts_on=today - datetime.timedelta(days=60), status="in_progress", progress=20)
    update_post(actor=staff, project=seogyo, date=today - datetime.timedelta(days=10),
                text_ko="골목 8곳의 포장 공사를 시작했습니다.", text_en="Paving began in eight alleys.", progress=20)

    stop = project_create(
        actor=staff, title_ko=f"{MARK} 선릉역 버스정류장 온열의자", title_en="[Sample] Heated benches at Seolleung stop",
        department_ko="기후환경본부", department_en="Climate and Environment Headquarters", district_codes=["11680"],
        geom=Point(stations["0220"], srid=4326), budget_planned=8_000_000)
    project_change(actor=staff, project=stop, changes={"status": "cancelled",
                                                       "cancel_reason": "정류장 이전 계획이 확정되어 취소했습니다."})
    stdout.write(f"projects: 5 sample projects ({bike.pk}, {jongno.pk}, {plaza.pk}, {seogyo.pk}, {stop.pk}) "
                 f"with updates and followers (all marked {MARK})")
