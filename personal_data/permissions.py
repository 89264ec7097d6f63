"""personal_data's staff permissions, granted through the roles (accounts/roles.py): like every
staff permission in the portal they hang on accounts.User."""

PERSONAL_DATA_EXPORT = "accounts.export_personal_data"
PERMISSIONS = {
    PERSONAL_DATA_EXPORT: "Can export a person's portal data for a request made by post",
}
