from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from workflows.callback import forget_workflows
        from workflows.models import Workflow, WorkflowVersion

        for model in (Workflow, WorkflowVersion):  # the trigger endpoint's cache
            uid = f"forget-workflows-{model.__name__}"
            post_save.connect(forget_workflows, sender=model, dispatch_uid=uid)
            post_delete.connect(forget_workflows, sender=model, dispatch_uid=uid + "-d")
