from .permissions import PERSONAL_DATA_EXPORT


def personal_data(request):
    """Whether a person's case links to the export for a request by post: called only when a
    template asks (the case view does), so no other page asks the database for the permission."""
    return {"can_export_personal_data": lambda: request.user.has_perm(PERSONAL_DATA_EXPORT)}
