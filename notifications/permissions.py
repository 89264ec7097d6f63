"""The notifications app's staff permissions, declared here once and granted through the roles
in accounts/roles.py. Like every staff permission of the portal it hangs on accounts.User (so it
reads "accounts.<codename>"), and accounts.roles creates it."""

NOTIFICATION_VIEW = "accounts.view_email_notification"
PERMISSIONS = {
    NOTIFICATION_VIEW: "Can see the emails sent to residents: address, template, status and times",
}
