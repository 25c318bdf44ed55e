"""The public roadmap page: planned and done items with counts, recent feedback, the feedback form."""
from django.shortcuts import render

from . import selectors
from .models import Feedback, FeedbackKind


def roadmap_page(request):
    roadmap = selectors.roadmap()
    recent = list(selectors.feedback_list(user=request.user).order_by("-created_at", "-pk")[:50])
    return render(request, "feedback/roadmap.html", {
        "planned": list(roadmap["planned"]), "done": list(roadmap["done"]), "people": roadmap["people"],
        "recent": recent, "kinds": FeedbackKind.choices,
        "page_config": {"signedIn": request.user.is_authenticated, "isStaff": Feedback.can_triage(request.user)},
    })
