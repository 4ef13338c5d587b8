from common.history import register_history_source

from .models import Project, ProjectPartner


@register_history_source
def project_records(project):
    return Project.history.filter(id=project.pk)


@register_history_source
def partner_records(project):
    return ProjectPartner.history.filter(project_id=project.pk)
