"""Parking's staff permissions, declared here once (parking has no models yet; they move next to
them when it has) and granted through the roles in accounts/roles.py. Django hangs a permission
on a model; the portal keeps all its staff permissions on accounts.User (so they read
"accounts.<codename>") and accounts.roles creates them."""

APPLICATION_DECIDE = "accounts.decide_permit_application"
PERMISSIONS = {
    APPLICATION_DECIDE: "Can decide parking permit applications",
}
