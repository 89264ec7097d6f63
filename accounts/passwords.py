"""Django's password validators with the portal's words.

Django's messages ("This password is too common.", "Your password can't be entirely numeric.")
say what is wrong but not what to do. GOV.UK's error messages say both, in the resident's terms.
AUTH_PASSWORD_VALIDATORS points at these; the checks themselves are Django's."""

from django.contrib.auth import password_validation as django


class MinimumLengthValidator(django.MinimumLengthValidator):
    def get_error_message(self):
        return f"Password must be {self.min_length} characters or more"

    def get_help_text(self):
        return f"Must be {self.min_length} characters or more"


class UserAttributeSimilarityValidator(django.UserAttributeSimilarityValidator):
    # The only personal detail a resident's account holds is their email address.
    def get_error_message(self):
        return (
            "Your password is too similar to your email address. "
            "Choose a password that is harder to guess"
        )

    def get_help_text(self):
        return "Must not be similar to your email address"


class CommonPasswordValidator(django.CommonPasswordValidator):
    def get_error_message(self):
        return "Your password is too common. Choose a password that is harder to guess"

    def get_help_text(self):
        return "Must not be a commonly used password"


class NumericPasswordValidator(django.NumericPasswordValidator):
    def get_error_message(self):
        return "Your password must include a letter or a symbol, not only numbers"

    def get_help_text(self):
        return "Must not be only numbers"
