from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("frontend/district-labels.json", views.district_labels, name="district-labels"),
    path("frontend/orientation.json", views.orientation, name="orientation"),
]
