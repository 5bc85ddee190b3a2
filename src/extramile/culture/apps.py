from django.apps import AppConfig


class CultureConfig(AppConfig):
    name = "extramile.culture"
    label = "culture"
    verbose_name = "Stories, kudos and check-ins"

    def ready(self) -> None:
        # Its habits (the registry), then the modules that register themselves on import:
        # planners, preparers, completers, rollups and the demo data.
        from extramile.agenda.habits import register
        from extramile.culture import demo, planners, services  # noqa: F401
        from extramile.culture.habits import HABITS
        from extramile.service.signals import went_wrong_resolved

        register(*HABITS)
        went_wrong_resolved.connect(services.on_went_wrong_resolved, dispatch_uid="culture.draft")
