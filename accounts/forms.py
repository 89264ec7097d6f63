"""allauth's forms with error messages that say what is wrong with which answer.

Django's own messages ("This field is required.") do not name the field, so an error summary
listing three of them tells nobody what to fix. GOV.UK's pattern is one message per problem,
naming it: "Enter your email address". The settings ACCOUNT_FORMS and MFA_FORMS point allauth
at these subclasses."""

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms

from hackney_portal.forms import NoBrowserMaxLength

from .models import User

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"
# The most an email address may be is what the account's email column holds (RFC 5321's 254).
# Django's form field accepts up to 320 characters; allauth would then cut the address short
# when saving it, making an account nobody can sign in to.
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length
EMAIL_TOO_LONG = f"Email address must be {EMAIL_MAX_LENGTH} characters or fewer"


class NamedErrorsMixin(NoBrowserMaxLength):
    """`errors_by_field` maps a field name to its messages by error code; any other required field
    gets "Enter <its label>", so no message is ever left unnamed."""

    errors_by_field: dict[str, dict[str, str]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = str(field.label)
            field.error_messages["required"] = f"Enter {label.lower()}"
            if isinstance(field, forms.EmailField):
                # Django's field allows 320 characters; the account keeps 254 (the adapter's
                # clean_email says so for 255 to 320): one limit, one message.
                field.error_messages["max_length"] = EMAIL_TOO_LONG
            elif getattr(field, "max_length", None):
                field.error_messages["max_length"] = (
                    f"{label} must be {field.max_length} characters or fewer"
                )
            field.error_messages.update(self.errors_by_field.get(name, {}))


YOUR_EMAIL = {"required": "Enter your email address", "invalid": EMAIL_FORMAT}
NEW_PASSWORD = {
    "password1": {"required": "Enter a new password"},
    "password2": {"required": "Enter the new password again"},
}


class LoginForm(NamedErrorsMixin, account_forms.LoginForm):
    errors_by_field = {"login": YOUR_EMAIL, "password": {"required": "Enter your password"}}


class SignupForm(NamedErrorsMixin, account_forms.SignupForm):
    errors_by_field = {
        "email": YOUR_EMAIL,
        "password1": {"required": "Enter a password"},
        "password2": {"required": "Enter the password again"},
    }


class AddEmailForm(NamedErrorsMixin, account_forms.AddEmailForm):
    errors_by_field = {
        "email": {"required": "Enter the email address you want to add", "invalid": EMAIL_FORMAT}
    }


class ChangePasswordForm(NamedErrorsMixin, account_forms.ChangePasswordForm):
    errors_by_field = {"oldpassword": {"required": "Enter your current password"}, **NEW_PASSWORD}


class SetPasswordForm(NamedErrorsMixin, account_forms.SetPasswordForm):
    errors_by_field = NEW_PASSWORD


class ResetPasswordForm(NamedErrorsMixin, account_forms.ResetPasswordForm):
    errors_by_field = {"email": YOUR_EMAIL}


class ResetPasswordKeyForm(NamedErrorsMixin, account_forms.ResetPasswordKeyForm):
    errors_by_field = NEW_PASSWORD


class ReauthenticateForm(NamedErrorsMixin, account_forms.ReauthenticateForm):
    errors_by_field = {"password": {"required": "Enter your password"}}


AUTHENTICATOR_CODE = {"code": {"required": "Enter your authenticator code"}}


class MFAAuthenticateForm(NamedErrorsMixin, mfa_forms.AuthenticateForm):
    errors_by_field = AUTHENTICATOR_CODE


class MFAReauthenticateForm(NamedErrorsMixin, mfa_forms.ReauthenticateForm):
    errors_by_field = AUTHENTICATOR_CODE


class ActivateTOTPForm(NamedErrorsMixin, totp_forms.ActivateTOTPForm):
    errors_by_field = {"code": {"required": "Enter the code from your authenticator app"}}
