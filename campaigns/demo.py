"""Demo content for `make run`: a closed round with real-sounding proposals about real Seoul places,
one selected and turned into a campaign map, one declined with a reason, one merged; a running
round. Everything is marked as a sample ([샘플]).

One language per field, as in a real city: what citizens and city staff write is Korean (one proposal
is written in English by a resident who reads the site in English: content is shown as written, never
translated); the server's own words around it are in each reader's language.

Idempotent: a second run finds the sample round and changes nothing. Written through the services,
so the sample follows the same rules as real content.
"""
import datetime

from django.utils import timezone

from districts.models import Dong
from geoplatform.demo import SAMPLE_MARK as MARK, demo_users

from . import services
from .models import Proposal, Round

CLOSED_ROUND = f"{MARK} 2026 하반기 지도 주제"
OPEN_ROUND = f"{MARK} 2027 상반기 지도 주제"
VOTERS = ("citizen", "citizen2", "officer-gangnam", "officer-mapo", "analyst", "staff")


def _propose(users, proposer, title, why, codes=(), categories=()):
    return services.proposal_create(
        proposer=users[proposer], title=f"{MARK} {title}", why=why, area_scope="districts" if codes else "seoul",
        district_codes=list(codes), categories=list(categories))


def _votes(proposal, users, names):
    for name in names:
        services.vote_cast(proposal=proposal, voter=users[name])


def _campaign_contributions(campaign, users):
    """Sample contributions at real places: an interior point of three of Seongbuk-gu's dongs."""
    from maps.models import Map
    from maps.services import feature_create

    map_obj = Map.objects.get(pk=campaign.map_id)
    category = next((c["key"] for c in map_obj.categories if c["key"].startswith("topic_")), "")
    for dong in Dong.objects.filter(district__code="11290").order_by("code")[:3]:
        feature_create(map_obj=map_obj, actor=users["citizen2"], geom=dong.geom.point_on_surface,
                       name=f"{MARK} {dong.name_ko} 골목", description="샘플 기여입니다.", category=category)


BUDGET_ROUND = f"{MARK} 2027 강남구 주민참여예산"
EVALUATED = f"{MARK} 선릉역 버스정류장 그늘막"  # the sample proposal that becomes a city project
VOLUNTEERS = ("citizen2", "analyst", "officer-mapo", "officer-gangnam")


def _evaluation_demo(users, stdout) -> None:
    """A participatory-budget round of local projects at real Gangnam places, closed with its winning set
    within the cap: one proposal scored by its citizen group and reviewed by the committee (projects/demo.py
    publishes the decision), one with its citizen group still scoring, two below the support threshold.
    Idempotent on its own."""
    from django.contrib.gis.geos import Point

    if Round.objects.filter(title=BUDGET_ROUND).exists():
        return
    from django.core.exceptions import ValidationError

    staff = users["staff"]
    now = timezone.now()
    try:
        round_ = services.round_create(
            actor=staff, title=BUDGET_ROUND, starts_at=now - datetime.timedelta(days=10),
            ends_at=now + datetime.timedelta(hours=1), budget_cap=100_000_000,
            description="강남구 동네 사업에 1억 원까지 씁니다. 공감 3개를 얻은 제안은 시민 평가단 3명과 위원회가 평가합니다.",
            evaluation_rules={"local_project": {"threshold": 3, "group_size": 3, "days": 10}})
    except ValidationError:  # a database that already has a running round (one round at a time)
        stdout.write("campaigns: participatory-budget sample skipped (another round is running)")
        return
    for name in VOLUNTEERS:
        services.evaluator_join(user=users[name])

    def local(proposer, title, why, place, cost):
        return services.proposal_create(
            proposer=users[proposer], title=f"{MARK} {title}", why=why, kind="local_project", area_scope="districts",
            district_codes=["11680"], place=Point(*place, srid=4326), budget_estimate=cost, round_id=round_.pk)

    shade = local("citizen", EVALUATED.removeprefix(f"{MARK} "), "여름 한낮에 선릉역 정류장에서 버스를 기다리기 힘듭니다. 그늘막을 놓아 주세요.",
                  (127.048203, 37.504286), 12_000_000)
    playground = local("citizen2", "역삼동 어린이공원 놀이기구 교체", "녹슨 미끄럼틀과 그네를 바꿔 주세요.",
                       (127.0364, 37.5006), 60_000_000)
    trees = local("citizen", "테헤란로 가로수 보호판", "가로수 둘레 흙이 패여 걸려 넘어집니다.", (127.0396, 37.5012), 50_000_000)
    cctv = local("citizen2", "대치동 골목 CCTV", "학원가 골목이 밤에 어둡습니다.", (127.0573, 37.4996), 40_000_000)
    _votes(shade, users, ("citizen2", "analyst", "officer-mapo"))  # the third vote sends it to evaluation
    _votes(playground, users, ("citizen", "analyst", "officer-gangnam"))
    _votes(trees, users, ("citizen2", "analyst"))
    _votes(cctv, users, ("citizen",))

    comments = ["정류장 이용객이 많아 꼭 필요합니다.", "비용이 적고 효과가 큽니다.", "여름 전에 설치되면 좋겠습니다."]
    evaluation = shade.evaluation
    for seat, comment, score in zip(evaluation.seats.select_related("evaluator__user"), comments, (5, 4, 4)):
        services.seat_score(proposal=shade, user=seat.evaluator.user, need=5, feasibility=score, benefit=4,
                            comment=comment)
    services.committee_review_add(proposal=shade, actor=staff, score=4,
                                  comment="예산 범위 안이고 정류장 정비 계획과 맞습니다.")
    # (projects/demo.py publishes its decision: accepted, it becomes a city project)
    first_seat = playground.evaluation.seats.select_related("evaluator__user").first()
    if first_seat is not None:
        services.seat_score(proposal=playground, user=first_seat.evaluator.user, need=4, feasibility=3,
                            benefit=5, comment="아이들이 많이 쓰는 공원입니다.")
    services.round_close(round_=round_, actor=staff)  # the winning set is frozen; the next round may open
    stdout.write(f"campaigns: participatory-budget round {round_.pk} with 4 local projects (one evaluated and "
                 f"reviewed: proposal {shade.pk}; one in evaluation: proposal {playground.pk})")


def load_demo(stdout):
    _evaluation_demo(demo_users(stdout), stdout)
    # (older demo loads named the round with another sample mark and an English half)
    if Round.objects.filter(title__startswith="[샘플", title__contains="2026 하반기 지도 주제").exists():
        stdout.write(f"campaigns: sample rounds already loaded ({Proposal.objects.count()} proposals)")
        return
    users = demo_users(stdout)
    staff = users["staff"]
    now = timezone.now()
    closed = services.round_create(actor=staff, title=CLOSED_ROUND, starts_at=now - datetime.timedelta(days=14),
                                   ends_at=now + datetime.timedelta(days=1),
                                   description="샘플 회차입니다.")
    alleys = _propose(users, "citizen", "성북구 어두운 골목 지도",
                      "정릉동과 길음동의 좁은 골목은 밤에 가로등이 드물어 귀갓길이 무섭습니다. 어두운 골목을 함께 찾아 "
                      "구청에 가로등과 CCTV를 요청합시다.",
                      ("11290",), ("가로등 없음", "CCTV 없음", "좁은 골목"))
    ramps = _propose(users, "citizen2", "마포구 휠체어로 들어갈 수 있는 가게",
                     "망원시장과 연남동의 가게 중 턱 없이 들어갈 수 있는 곳을 알고 싶습니다.", ("11440",), ("턱 없음", "경사로"))
    shade = _propose(users, "citizen2", "Shade in the Han River parks",
                     "Where to find shade and drinking water on summer afternoons along the river?", (),
                     ("shade", "drinking water"))
    lights = _propose(users, "citizen", "성북구 고장 난 가로등", "꺼진 가로등을 모아 신고하고 싶어요.", ("11290",))
    _votes(alleys, users, VOTERS[:5])
    _votes(ramps, users, ("citizen", "officer-mapo", "analyst"))
    _votes(shade, users, ("citizen", "staff"))
    _votes(lights, users, ("citizen2",))
    services.round_close(round_=closed, actor=staff)
    services.proposal_answer(proposal=alleys, actor=staff, state="selected",
                             answer="1위로 선정되어 캠페인 지도를 엽니다.")
    services.proposal_answer(proposal=ramps, actor=staff, state="declined",
                             answer="같은 내용의 편의시설 조사가 이미 진행 중이라 이번에는 선정하지 않았습니다. 결과가 "
                                    "나오면 이 지도에 연결하겠습니다.")
    services.proposal_answer(proposal=shade, actor=staff, state="declined",
                             answer="이번 회차에서는 순위가 낮았습니다. 다음 회차에 다시 제안해 주세요.")
    services.proposal_answer(proposal=lights, actor=staff, state="merged", merged_into_id=alleys.pk,
                             answer="어두운 골목 캠페인에서 함께 모읍니다.")
    campaign = services.campaign_create(
        actor=staff, proposal_id=alleys.pk, template_slug="safety", target_features=300,
        title=f"{MARK} 성북구 어두운 골목 지도", goal="성북구의 어두운 골목 300곳을 지도에 올리기")
    _campaign_contributions(campaign, users)

    running = services.round_create(actor=staff, title=OPEN_ROUND, starts_at=now,
                                     ends_at=now + datetime.timedelta(days=21),
                                     description="샘플 회차입니다.")
    flood = _propose(users, "citizen2", "강남구 침수 위험 도로",
                     "큰비가 오면 강남역 일대 도로가 잠깁니다. 피해야 할 길을 미리 알고 싶어요.", ("11680",), ("침수", "맨홀"))
    jongno = _propose(users, "citizen", "종로구 역사 골목 산책", "익선동과 서촌의 오래된 골목 이야기를 모읍니다.",
                      ("11110",), ("한옥", "옛 가게"))
    _votes(flood, users, ("citizen", "officer-gangnam"))
    _votes(jongno, users, ("citizen2",))
    stdout.write(f"campaigns: rounds {closed.pk} (closed) and {running.pk} (open), 6 proposals, campaign map "
                 f"{campaign.map_id} (all marked {MARK})")
