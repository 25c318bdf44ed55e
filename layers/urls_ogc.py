"""OGC API - Features, mounted at /ogc/."""
urlpatterns = []
