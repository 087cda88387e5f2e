from django.contrib import admin

from workflows.models import ActionRun, Run, TriggerHistory, Workflow, WorkflowVersion


class VersionInline(admin.TabularInline):
    model = WorkflowVersion
    extra = 0
    fields = ["number", "kind", "author", "created_at"]
    readonly_fields = fields


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "current_version", "updated_at"]
    list_filter = ["state"]
    search_fields = ["name", "description"]
    inlines = [VersionInline]
    exclude = ["signing_key"]


@admin.register(WorkflowVersion)
class WorkflowVersionAdmin(admin.ModelAdmin):
    list_display = ["workflow", "number", "kind", "author", "created_at"]
    list_filter = ["kind"]


class ActionRunInline(admin.TabularInline):
    model = ActionRun
    extra = 0
    fields = ["path", "type", "status", "attempts", "started_at", "ended_at"]
    readonly_fields = fields


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["id", "workflow", "status", "trigger_name", "created_at", "ended_at"]
    list_filter = ["status", "workflow"]
    search_fields = ["id", "client_tracking_id"]
    inlines = [ActionRunInline]


@admin.register(ActionRun)
class ActionRunAdmin(admin.ModelAdmin):
    list_display = ["run", "path", "type", "status", "attempts"]
    list_filter = ["status", "type"]


@admin.register(TriggerHistory)
class TriggerHistoryAdmin(admin.ModelAdmin):
    list_display = ["workflow", "trigger_name", "status", "fired", "run", "created_at"]
    list_filter = ["status", "fired"]
