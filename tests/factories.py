import factory
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group

from accounts.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A resident with a verified email address who can sign in with PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"resident{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


def make_staff(role: str | None, *, with_totp: bool = True, **kwargs) -> User:
    """A member of staff in `role`; with_totp gives them an authenticator app whose secret is
    on `user.totp_secret` so tests can type the current code."""
    user = UserFactory(
        email=kwargs.pop("email", None) or f"{role or 'staff'}@example.com", is_staff=True, **kwargs
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    user.totp_secret = None
    if with_totp:
        user.totp_secret = generate_totp_secret()
        TOTP.activate(user, user.totp_secret)
        RecoveryCodes.activate(user)
    return user
