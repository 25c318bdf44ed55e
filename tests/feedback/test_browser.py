"""In Chromium: a citizen sends feedback; staff answer it on the roadmap; the author stays unnamed."""
import pytest

from feedback.models import Feedback

pytestmark = pytest.mark.browser


@pytest.fixture
def triager(make_user):
    return make_user("roadmap-staff", role="city_staff")


def test_feedback_sent_in_the_browser_is_triaged_by_staff_and_reaches_the_roadmap(page, login, make_user, triager):
    staff = triager
    citizen = make_user("feedback-citizen")
    login(page, citizen)
    page.goto("/roadmap/")
    page.locator("#feedback-box summary").click()
    page.check("input[name=kind][value=wish]")
    page.fill("#f-text", "캠페인 지도에 내가 기여한 곳만 보는 필터가 있으면 좋겠어요")
    page.fill("#f-page", "/campaigns/")
    page.get_by_role("button", name="보내기").click()
    page.wait_for_url("**/roadmap/?sent=*")
    feedback = Feedback.objects.get()
    assert (feedback.kind, feedback.page_url, feedback.state) == ("wish", "/campaigns/", "new")
    assert page.locator(f"li.feedback[data-id='{feedback.pk}'] .badge").inner_text() == "접수"

    page.get_by_test_id("sign-out").click()
    page.wait_for_load_state("networkidle")
    login(page, staff)
    page.goto("/roadmap/")
    item = page.locator(f"li.feedback[data-id='{feedback.pk}']")
    item.locator("select[name=state]").select_option("planned")
    item.locator("input[name=answer]").fill("다음 달 업데이트에 넣겠습니다.")
    item.get_by_role("button", name="답변하기").click()
    page.locator("[data-testid=planned]").wait_for()
    assert "다음 달 업데이트에 넣겠습니다." in page.locator("[data-testid=planned]").inner_text()
    assert page.locator("[data-testid=planned] [data-people]").inner_text() == "1"
    assert "feedback-citizen" not in page.locator("main").inner_text()
