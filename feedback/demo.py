"""Demo feedback for `make run`: one item in every state, at real pages, marked as a sample.

Idempotent: a second run finds the sample feedback and changes nothing. Written through the
services, so the sample follows the same rules as real content.
"""
from geoplatform.demo import SAMPLE_MARK as MARK, demo_users

from . import services
from .models import Feedback


def _feedback(users):
    new = services.feedback_create(author=users["citizen"], kind="bug", page_url="/report/",
                                   text=f"{MARK} 휴대폰에서 신고 사진을 올리면 회전된 채로 보여요.")
    planned = services.feedback_create(author=users["citizen2"], kind="wish", page_url="/campaigns/",
                                       text=f"{MARK} 캠페인 지도에서 내가 기여한 곳만 골라 보고 싶어요.")
    for name in ("citizen", "analyst"):
        services.feedback_support(feedback=planned, user=users[name])
    services.feedback_triage(feedback=planned, actor=users["staff"], state="planned",
                             answer="다음 업데이트에 넣겠습니다.")
    done = services.feedback_create(author=users["citizen"], kind="confusing", page_url="/proposals/",
                                    text=f"{MARK} 공감과 댓글 버튼이 비슷해서 헷갈려요.")
    services.feedback_support(feedback=done, user=users["citizen2"])
    services.feedback_triage(feedback=done, actor=users["staff"], state="done",
                             answer="공감 버튼에 글자를 넣어 구분했습니다.")
    declined = services.feedback_create(author=users["citizen2"], kind="wish",
                                        text=f"{MARK} 다른 사람이 누구에게 공감했는지 보고 싶어요.")
    services.feedback_triage(feedback=declined, actor=users["staff"], state="declined",
                             answer="투표는 비밀입니다. 숫자만 공개합니다.")
    return [new, planned, done, declined]


def load_demo(stdout):
    if Feedback.objects.filter(text__startswith="[샘플").exists():  # (also the samples of older demo loads)
        stdout.write(f"feedback: sample feedback already loaded ({Feedback.objects.count()} items)")
        return
    feedback = _feedback(demo_users(stdout))
    stdout.write(f"feedback: {len(feedback)} sample items (all marked {MARK})")
