"""Demo content for `make run`: a closed round with real-sounding proposals about real Seoul places,
one selected and turned into a campaign map, one declined with a reason, one merged; a running
round. Everything is marked as a sample ([샘플] / [Sample]).

Idempotent: a second run finds the sample round and changes nothing. Written through the services,
so the sample follows the same rules as real content.
"""
import datetime

from django.utils import timezone

from districts.models import Dong
from geoplatform.demo import SAMPLE_MARK as MARK, demo_users

from . import services
from .models import Proposal, Round

CLOSED_ROUND = f"{MARK} 2026 하반기 지도 주제 / Map topics, second half of 2026"
OPEN_ROUND = f"{MARK} 2027 상반기 지도 주제 / Map topics, first half of 2027"
VOTERS = ("citizen", "citizen2", "officer-gangnam", "officer-mapo", "analyst", "staff")


def _propose(users, proposer, title, why, codes=(), categories=()):
    return services.proposal_create(
        proposer=users[proposer], title=f"{MARK} {title}", why=why, area_scope="districts" if codes else "seoul",
        district_codes=list(codes), categories=list(categories))


def _votes(proposal, users, names):
    for name in names:
        services.vote_cast(proposal_id=proposal.pk, voter=users[name])


def _campaign_contributions(campaign, users):
    """Sample contributions at real places: an interior point of three of Seongbuk-gu's dongs."""
    from maps.models import Map
    from maps.services import feature_create

    map_obj = Map.objects.get(pk=campaign.map_id)
    category = next((c["key"] for c in map_obj.categories if c["key"].startswith("topic_")), "")
    for dong in Dong.objects.filter(district__code="11290").order_by("code")[:3]:
        feature_create(map_obj=map_obj, actor=users["citizen2"], geom=dong.geom.point_on_surface,
                       name=f"{MARK} {dong.name_ko} 골목 / Alley in {dong.name_en}",
                       description="샘플 기여입니다. / A sample contribution.", category=category)


def load_demo(stdout):
    if Round.objects.filter(title=CLOSED_ROUND).exists():
        stdout.write(f"campaigns: sample rounds already loaded ({Proposal.objects.count()} proposals)")
        return
    users = demo_users(stdout)
    staff = users["staff"]
    now = timezone.now()
    closed = services.round_create(actor=staff, title=CLOSED_ROUND, starts_at=now - datetime.timedelta(days=14),
                                   ends_at=now + datetime.timedelta(days=1),
                                   description="샘플 회차입니다. / A sample round.")
    alleys = _propose(users, "citizen", "성북구 어두운 골목 지도 / Dark alleys of Seongbuk-gu",
                      "정릉동과 길음동의 좁은 골목은 밤에 가로등이 드물어 귀갓길이 무섭습니다. 어두운 골목을 함께 찾아 "
                      "구청에 가로등과 CCTV를 요청합시다.\n\nNarrow alleys in Jeongneung and Gireum are dark at night; "
                      "let's map them and ask the district office for lights.",
                      ("11290",), ("가로등 없음", "CCTV 없음", "좁은 골목"))
    ramps = _propose(users, "citizen2", "마포구 휠체어로 들어갈 수 있는 가게 / Wheelchair-accessible shops in Mapo-gu",
                     "망원시장과 연남동의 가게 중 턱 없이 들어갈 수 있는 곳을 알고 싶습니다. / Which shops around "
                     "Mangwon market and Yeonnam-dong have step-free entrances?", ("11440",), ("턱 없음", "경사로"))
    shade = _propose(users, "citizen2", "한강공원 그늘 쉼터 지도 / Shade in the Han River parks",
                     "여름 한낮에 쉴 수 있는 그늘과 음수대를 찾습니다. / Where to find shade and drinking water on "
                     "summer afternoons.", (), ("그늘", "음수대"))
    lights = _propose(users, "citizen", "성북구 고장 난 가로등 / Broken street lights in Seongbuk-gu",
                      "꺼진 가로등을 모아 신고하고 싶어요. / Collect the street lights that are out.", ("11290",))
    _votes(alleys, users, VOTERS[:5])
    _votes(ramps, users, ("citizen", "officer-mapo", "analyst"))
    _votes(shade, users, ("citizen", "staff"))
    _votes(lights, users, ("citizen2",))
    services.round_close(round_id=closed.pk, actor=staff)
    services.proposal_answer(proposal_id=alleys.pk, actor=staff, state="selected",
                             answer="1위로 선정되어 캠페인 지도를 엽니다. / Ranked first: the campaign map is open.")
    services.proposal_answer(proposal_id=ramps.pk, actor=staff, state="declined",
                             answer="같은 내용의 편의시설 조사가 이미 진행 중이라 이번에는 선정하지 않았습니다. 결과가 "
                                    "나오면 이 지도에 연결하겠습니다. / A survey of the same facilities is already "
                                    "under way; we will link its results here.")
    services.proposal_answer(proposal_id=shade.pk, actor=staff, state="declined",
                             answer="이번 회차에서는 순위가 낮았습니다. 다음 회차에 다시 제안해 주세요. / Ranked too low "
                                    "this round; please propose it again next round.")
    services.proposal_answer(proposal_id=lights.pk, actor=staff, state="merged", merged_into_id=alleys.pk,
                             answer="어두운 골목 캠페인에서 함께 모읍니다. / Collected in the dark-alleys campaign.")
    campaign = services.campaign_create(
        actor=staff, proposal_id=alleys.pk, template_slug="safety", target_features=300,
        title=f"{MARK} 성북구 어두운 골목 지도 / Dark alleys of Seongbuk-gu",
        goal="성북구의 어두운 골목 300곳을 지도에 올리기 / Map 300 dark alleys in Seongbuk-gu")
    _campaign_contributions(campaign, users)

    running = services.round_create(actor=staff, title=OPEN_ROUND, starts_at=now,
                                     ends_at=now + datetime.timedelta(days=21),
                                     description="샘플 회차입니다. / A sample round.")
    flood = _propose(users, "citizen2", "강남구 침수 위험 도로 / Flood-prone roads in Gangnam-gu",
                     "큰비가 오면 강남역 일대 도로가 잠깁니다. 피해야 할 길을 미리 알고 싶어요. / Roads around "
                     "Gangnam station flood in heavy rain; which ones should we avoid?", ("11680",), ("침수", "맨홀"))
    jongno = _propose(users, "citizen", "종로구 역사 골목 산책 / Historic alleys of Jongno-gu",
                      "익선동과 서촌의 오래된 골목 이야기를 모읍니다. / Stories of the old alleys of Ikseon-dong and "
                      "Seochon.", ("11110",), ("한옥", "옛 가게"))
    _votes(flood, users, ("citizen", "officer-gangnam"))
    _votes(jongno, users, ("citizen2",))
    stdout.write(f"campaigns: rounds {closed.pk} (closed) and {running.pk} (open), 6 proposals, campaign map "
                 f"{campaign.map_id} (all marked {MARK})")
