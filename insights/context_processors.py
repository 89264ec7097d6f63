from .permissions import INSIGHTS_VIEW


def insights(request):
    """Whether the staff home links to insights: called only when a template asks (the staff
    home does), so no other page asks the database for the permission."""
    return {"can_use_insights": lambda: request.user.has_perm(INSIGHTS_VIEW)}
