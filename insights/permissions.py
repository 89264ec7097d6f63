"""The insights pages' staff permission, declared here once and granted through the roles in
accounts/roles.py (from insights.apps). Django hangs a permission on a model; the portal keeps
all its staff permissions on accounts.User (so they read "accounts.<codename>") and
accounts.roles creates them."""

INSIGHTS_VIEW = "accounts.view_insights"
PERMISSIONS = {
    INSIGHTS_VIEW: "Can run what-ifs on the permit tariff and council tax discounts and premiums "
    "over the council's own data (totals only, never one resident's)",
}
