"""The templates shipped with the platform (Korean and English): safety, neighbourhood, food, history, accessibility.

The data is copied here on purpose: a migration must not change when the app's code does.
"""
from django.db import migrations


def c(key, ko, en, color, icon):
    return {"key": key, "label_ko": ko, "label_en": en, "color": color, "icon": icon}


def f(key, ko, en, type_="text", choices=None):
    item = {"key": key, "label_ko": ko, "label_en": en, "type": type_}
    if choices:
        item["choices"] = choices
    return item


TEMPLATES = [
    {
        "slug": "safety", "theme": "safety",
        "title_ko": "동네 안전 지도", "title_en": "Neighbourhood safety map",
        "description_ko": "밤길이 어두운 골목, 위험한 횡단보도, 파손된 보도처럼 동네의 안전 문제와 "
                          "비상벨·CCTV·안심귀갓길 같은 안전 자원을 함께 기록합니다. 사람의 얼굴이나 차량 번호가 "
                          "보이는 사진은 올리지 마세요.",
        "description_en": "Record what makes a neighbourhood unsafe (dark alleys, dangerous crossings, broken "
                          "pavements) and what keeps people safe (emergency bells, CCTV, safe routes home). "
                          "Do not upload photos that show faces or number plates.",
        "categories": [
            c("dark_alley", "어두운 골목", "Dark alley", "#3d405b", "light-off"),
            c("dangerous_crossing", "위험한 횡단보도", "Dangerous crossing", "#e4572e", "crossing"),
            c("broken_pavement", "파손된 보도", "Broken pavement", "#f3a712", "road"),
            c("flooding", "침수 우려", "Flood risk", "#2e86ab", "flood"),
            c("emergency_bell", "비상벨", "Emergency bell", "#c1121f", "warning"),
            c("cctv", "CCTV", "CCTV", "#6c757d", "camera"),
            c("safe_route", "안심귀갓길", "Safe route home", "#2a9d8f", "people"),
        ],
        "suggested_fields": [
            f("time_of_day", "위험한 시간대", "When it feels unsafe", "choice", ["낮/day", "저녁/evening", "밤/night"]),
            f("lighting", "조명 상태", "Lighting", "choice", ["밝음/bright", "어두움/dim", "없음/none"]),
            f("reported", "구청에 신고함", "Reported to the district office", "boolean"),
        ],
    },
    {
        "slug": "neighbourhood", "theme": "neighbourhood",
        "title_ko": "우리 동네 지도", "title_en": "Our neighbourhood map",
        "description_ko": "주민이 아끼는 장소를 모읍니다: 쉼터, 놀이터, 작은 도서관, 모임 공간, 골목 가게.",
        "description_en": "Collect the places residents love: resting spots, playgrounds, small libraries, "
                          "meeting places, corner shops.",
        "categories": [
            c("rest", "쉼터", "Place to rest", "#2a9d8f", "bench"),
            c("playground", "놀이터", "Playground", "#f4a261", "child"),
            c("library", "작은 도서관", "Small library", "#264653", "library"),
            c("meeting", "모임 공간", "Meeting place", "#8338ec", "people"),
            c("shop", "골목 가게", "Corner shop", "#e76f51", "shop"),
            c("green", "녹지·산책로", "Green space and walks", "#52b788", "tree"),
            c("pet", "반려동물 산책", "Dog walking", "#a47148", "dog"),
        ],
        "suggested_fields": [
            f("opening_hours", "이용 시간", "Opening hours"),
            f("free", "무료 이용", "Free to use", "boolean"),
            f("why", "추천 이유", "Why we like it"),
        ],
    },
    {
        "slug": "food", "theme": "food",
        "title_ko": "먹자골목 지도", "title_en": "Food street map",
        "description_ko": "골목 식당, 전통시장 먹거리, 카페를 주민의 추천과 함께 기록합니다. 광고성 글은 삭제됩니다.",
        "description_en": "Local restaurants, traditional market food and cafés, with residents' tips. "
                          "Advertising is removed.",
        "categories": [
            c("restaurant", "식당", "Restaurant", "#e63946", "food"),
            c("market_food", "시장 먹거리", "Market food", "#f77f00", "market"),
            c("cafe", "카페", "Café", "#7f5539", "cafe"),
            c("bar", "주점", "Bar", "#6a4c93", "bar"),
            c("bakery", "빵집", "Bakery", "#dda15e", "shop"),
        ],
        "suggested_fields": [
            f("signature_dish", "대표 메뉴", "Signature dish"),
            f("price_range", "가격대", "Price range", "choice", ["₩", "₩₩", "₩₩₩"]),
            f("vegetarian", "채식 메뉴", "Vegetarian options", "boolean"),
        ],
    },
    {
        "slug": "history", "theme": "history",
        "title_ko": "동네 역사 지도", "title_en": "Local history map",
        "description_ko": "오래된 가게, 사라진 물길, 기념비, 주민의 기억이 담긴 장소를 기록합니다. 출처를 함께 적어 주세요.",
        "description_en": "Old shops, lost streams, monuments and places that hold residents' memories. "
                          "Please cite your sources.",
        "categories": [
            c("heritage", "문화유산", "Heritage site", "#9c6644", "landmark"),
            c("old_shop", "오래된 가게", "Long-standing shop", "#bc6c25", "shop"),
            c("monument", "기념비·표석", "Monument or marker", "#6b705c", "monument"),
            c("lost_place", "사라진 장소", "Place that is gone", "#8d99ae", "info"),
            c("memory", "주민의 기억", "Residents' memory", "#b5838d", "heart"),
        ],
        "suggested_fields": [
            f("period", "시대", "Period"),
            f("source", "출처", "Source"),
            f("year", "연도", "Year", "number"),
        ],
    },
    {
        "slug": "accessibility", "theme": "accessibility",
        "title_ko": "무장애 접근성 지도", "title_en": "Accessibility map",
        "description_ko": "휠체어·유아차 이용자와 어르신을 위해 경사로, 엘리베이터, 장애인 화장실과 이동을 막는 계단·턱을 기록합니다.",
        "description_en": "For wheelchair and pram users and older people: ramps, lifts, accessible toilets, "
                          "and the steps and kerbs that block the way.",
        "categories": [
            c("accessible_toilet", "장애인 화장실", "Accessible toilet", "#0077b6", "toilet"),
            c("ramp", "경사로", "Ramp", "#2a9d8f", "slope"),
            c("elevator", "엘리베이터", "Lift", "#4361ee", "elevator"),
            c("barrier", "계단·턱 (이동 불편)", "Steps or kerb (barrier)", "#d62828", "stairs"),
            c("accessible_entrance", "무장애 출입구", "Step-free entrance", "#52b788", "wheelchair"),
        ],
        "suggested_fields": [
            f("wheelchair", "휠체어 이용", "Wheelchair access", "choice", ["가능/yes", "일부/limited", "불가/no"]),
            f("opening_hours", "이용 시간", "Opening hours"),
            f("checked_on", "확인한 날", "Checked on"),
        ],
    },
]


def templates_create(apps, schema_editor):
    MapTemplate = apps.get_model("maps", "MapTemplate")
    for spec in TEMPLATES:
        MapTemplate.objects.update_or_create(slug=spec["slug"], defaults={k: v for k, v in spec.items() if k != "slug"})


def templates_remove(apps, schema_editor):
    MapTemplate = apps.get_model("maps", "MapTemplate")
    MapTemplate.objects.filter(slug__in=[spec["slug"] for spec in TEMPLATES], created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("maps", "0001_initial")]

    operations = [migrations.RunPython(templates_create, templates_remove)]
