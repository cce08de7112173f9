from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView
from rules.contrib.views import PermissionRequiredMixin

from apps.catalog.cache import cache_public_page
from apps.catalog.selectors import projects_of_organisation

from . import selectors, services
from .forms import InvitationForm, OrganisationForm
from .models import Invitation, Organisation


@cache_public_page
def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation.objects.select_related("municipality"), slug=slug)
    is_member = request.user.has_perm("organisations.add_project", organisation)
    context = {
        "organisation": organisation,
        "projects": projects_of_organisation(
            organisation=organisation, include_unpublished=is_member
        ),
        "is_member": is_member,
        "can_manage": request.user.has_perm("organisations.change_organisation", organisation),
    }
    if is_member:
        context["members"] = selectors.members_of(organisation=organisation)
    return render(request, "organisations/organisation_detail.html", context)


class OrganisationCreateView(LoginRequiredMixin, FormView):
    form_class = OrganisationForm
    template_name = "organisations/organisation_form.html"

    def form_valid(self, form):
        organisation = services.organisation_create(creator=self.request.user, **form.cleaned_data)
        messages.success(
            self.request, _("Your organisation has been created. You are its administrator.")
        )
        return redirect(organisation)


class OrganisationObjectMixin(LoginRequiredMixin, PermissionRequiredMixin):
    @cached_property
    def organisation(self) -> Organisation:
        return get_object_or_404(Organisation, slug=self.kwargs["slug"])

    def get_permission_object(self):
        return self.organisation

    def get_context_data(self, **kwargs):
        return super().get_context_data(organisation=self.organisation, **kwargs)


class OrganisationUpdateView(OrganisationObjectMixin, FormView):
    permission_required = "organisations.change_organisation"
    form_class = OrganisationForm
    template_name = "organisations/organisation_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.organisation}

    def form_valid(self, form):
        services.organisation_update(organisation=self.organisation, **form.cleaned_data)
        messages.success(self.request, _("The organisation has been updated."))
        return redirect(self.organisation)

    def form_invalid(self, form):
        self.organisation.refresh_from_db()
        return super().form_invalid(form)


class MemberInviteView(OrganisationObjectMixin, FormView):
    permission_required = "organisations.invite_member"
    form_class = InvitationForm
    template_name = "organisations/invite_form.html"

    def form_valid(self, form):
        try:
            services.invitation_create(
                organisation=self.organisation,
                invited_by=self.request.user,
                accept_url_builder=self.request.build_absolute_uri,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error("email", error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("We have sent an invitation to %(email)s.") % {"email": form.cleaned_data["email"]},
        )
        return redirect("organisations:invite", slug=self.organisation.slug)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            members=selectors.members_of(organisation=self.organisation),
            invitations=selectors.open_invitations_of(organisation=self.organisation),
            **kwargs,
        )


@login_required
def invitation_accept(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), token=token)
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("organisations:mine")
        messages.success(
            request, _("Welcome to %(name)s!") % {"name": invitation.organisation.name}
        )
        return redirect(invitation.organisation)
    return render(request, "organisations/invitation_accept.html", {"invitation": invitation})


@login_required
def my_organisations(request):
    return render(
        request,
        "organisations/mine.html",
        {"memberships": selectors.memberships_of(user=request.user)},
    )
