from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "City projects: location, budget, progress, timeline and followers"

    def ready(self):
        from . import messages  # noqa: F401  (registers the keys of the messages it stores)
        from . import layers  # noqa: F401  (registers the `projects` layer)
        from . import receivers  # noqa: F401  (forgets follows when an account is erased)
