"""The contact centre's staff permissions, declared here once and granted through the roles in
accounts/roles.py. Django hangs a permission on a model; the portal keeps all its staff
permissions on accounts.User (so they read "accounts.<codename>") and accounts.roles creates
them."""

CASE_VIEW = "accounts.view_resident_case"
CASE_NOTE_ADD = "accounts.add_case_note"
AUDIT_LOG_VIEW = "accounts.view_audit_log"
ASSISTED_APPLICATION_MAKE = "accounts.make_assisted_application"
PERMISSIONS = {
    CASE_VIEW: "Can search for residents and view their whole case",
    CASE_NOTE_ADD: "Can add a note to a resident's case",
    AUDIT_LOG_VIEW: "Can read the audit log of staff access to residents' data",
    ASSISTED_APPLICATION_MAKE: "Can make a permit application for a resident on the phone",
}
