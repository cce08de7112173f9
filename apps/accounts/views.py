import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import FormView

from apps.core.forms import add_validation_error

from . import selectors, services
from .forms import AccountDeleteForm


@never_cache
@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/my_data.html")


@never_cache
@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    """All data about the person as a JSON file to download."""
    data = selectors.personal_data(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"transferhub-daten-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@method_decorator(never_cache, name="dispatch")
class AccountDeleteView(LoginRequiredMixin, FormView):
    form_class = AccountDeleteForm
    template_name = "accounts/account_delete.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "request": self.request}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            blocking=selectors.organisations_blocking_deletion(user=self.request.user), **kwargs
        )

    def form_valid(self, form):
        try:
            services.account_delete(user=self.request.user)
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        logout(self.request)
        messages.success(
            self.request, _("Your account and your personal data have been deleted. Goodbye!")
        )
        return redirect("catalog:home")
