"""Builders for a small framework: use the services so the rules that make rows valid are kept."""

import datetime

from results import services
from results.models import Indicator, Result


def framework(project, *, by_sex=True):
    """An objective, one outcome, one output, two indicators on the output; yearly periods."""
    objective = services.result_create(project=project, level=Result.Level.OBJECTIVE, title="Objective")
    outcome = services.result_create(project=project, level=Result.Level.OUTCOME, parent=objective, title="Outcome")
    output = services.result_create(project=project, level=Result.Level.OUTPUT, parent=outcome, title="Output")
    trained = services.indicator_create(
        result=output, title="Officials trained", code="officials-trained", unit=Indicator.Unit.NUMBER, by_sex=by_sex
    )
    share = services.indicator_create(result=output, title="Share satisfied", unit=Indicator.Unit.PERCENTAGE)
    period = services.period_create(
        project=project, start=project.planned_start, end=project.planned_start + datetime.timedelta(days=89)
    )
    return {
        "objective": objective,
        "outcome": outcome,
        "output": output,
        "trained": trained,
        "share": share,
        "period": period,
    }
