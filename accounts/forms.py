"""Forms of the account pages (sign-up goes through accounts.services.user_signup)."""
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from .services import user_signup
from django.utils.translation import gettext_lazy as _


class SignupForm(forms.Form):
    username = forms.RegexField(
        regex=r"^[\w.@+-]{3,150}$", max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "aria-describedby": "id_username-help"}),
        error_messages={"invalid": _("Use 3-150 letters, digits and @/./+/-/_.")},
    )
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(max_length=256, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password", "aria-describedby": "id_password-help"}))
    password2 = forms.CharField(max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    # Whether the username is taken is never said on this form (no enumeration): user_signup e-mails it.

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password and password != data.get("password2"):
            self.add_error("password2", _("The passwords differ."))
        if password:
            # The same validators user_signup applies, shown together with the other fields' errors.
            candidate = get_user_model()(username=data.get("username", ""), email=data.get("email", ""))
            try:
                validate_password(password, candidate)
            except ValidationError as exc:
                self.add_error("password", exc.messages)
        return data

    def save(self, request=None) -> bool:
        """Register (the account is active once its e-mail link is followed); False with errors on the form."""
        data = self.cleaned_data
        try:
            user_signup(username=data["username"], email=data["email"], password=data["password"], request=request)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
            return False
        return True


class EmailChangeForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
