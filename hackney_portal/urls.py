from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from . import health, views

# The admin signs in through allauth (so the MFA stage applies), never its own login form.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Hackney resident portal: administration"
admin.site.site_title = "Hackney resident portal"

urlpatterns = [
    path("", views.start, name="start"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("parking/", include("parking.urls")),
    path("council-tax/", include("balances.urls")),
    path("your-data/", include("personal_data.urls")),
    # "Something is wrong in our records" (issue 20): the resident's side; the queue is staff's.
    path("records/wrong/", include("records.report_urls")),
    path("staff/admin/", admin.site.urls),
    path("staff/records/", include("records.urls")),
    path("staff/data-requests/", include("personal_data.staff_urls")),
    path("staff/insights/", include("insights.urls")),
    path("staff/", include("casework.urls")),
]

handler403 = "hackney_portal.views.permission_denied"
handler404 = "hackney_portal.views.page_not_found"
handler500 = "hackney_portal.views.server_error"
