"""Web pages of this app (mounted at the site root)."""
from django.urls import path

from . import views

urlpatterns = [
    path("proposals/", views.proposals_page, name="proposals-page"),
    path("proposals/<int:pk>/", views.proposal_page, name="proposal-page"),
    path("campaigns/", views.campaigns_page, name="campaigns-page"),
]
