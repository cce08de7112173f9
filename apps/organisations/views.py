from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from apps.catalog.cache import cache_public_page
from apps.catalog.selectors import projects_of_organisation
from apps.core.ratelimit import Limit, RateLimitedFormMixin, write_within_limit

from . import selectors, services
from .forms import (
    ContactForm,
    DeclineForm,
    InvitationForm,
    MembershipRequestForm,
    OrganisationForm,
    RoleForm,
)
from .models import Invitation, Organisation

CONTACT_LIMIT = Limit(scope="contact", per_user=5, per_ip=5, window=timedelta(hours=1))
# Each request e-mails every administrator of the organisation.
MEMBERSHIP_REQUEST_LIMIT = Limit(
    scope="membership", per_user=10, per_ip=20, window=timedelta(hours=1)
)


@cache_public_page
def organisation_detail(request, slug):
    organisation = selectors.organisation_for_page(slug=slug)
    relation = selectors.relation_of(user=request.user, organisation=organisation)
    can_manage = request.user.has_perm("organisations.change_organisation", organisation)
    context = {
        "organisation": organisation,
        "projects": projects_of_organisation(
            organisation=organisation, include_unpublished=relation.is_member
        ),
        "relation": relation,
        "is_member": relation.is_member,
        "can_manage": can_manage,
        # organisations.view_members (members and moderators), from what is already known:
        # administrators are members, and moderators may change any organisation.
        "can_view_members": relation.is_member or can_manage,
    }
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


class OrganisationMixin:
    @cached_property
    def organisation(self) -> Organisation:
        return get_object_or_404(Organisation, slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(organisation=self.organisation, **kwargs)


class OrganisationObjectMixin(OrganisationMixin, LoginRequiredMixin, PermissionRequiredMixin):
    def get_permission_object(self):
        return self.organisation


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
            invitations=selectors.open_invitations_of(organisation=self.organisation),
            **kwargs,
        )


class MemberListView(OrganisationObjectMixin, TemplateView):
    """Names and roles for members and moderators; administrators also see e-mail addresses
    and requests, and change roles."""

    permission_required = "organisations.view_members"
    template_name = "organisations/member_list.html"

    def get_context_data(self, **kwargs):
        can_manage = self.request.user.has_perm("organisations.manage_members", self.organisation)
        context = {
            "members": selectors.members_of(organisation=self.organisation),
            "can_manage_members": can_manage,
        }
        if can_manage:
            context["membership_requests"] = selectors.pending_membership_requests_of(
                organisation=self.organisation
            )
            context["role_form"] = RoleForm()
        return super().get_context_data(**context, **kwargs)


class MembershipRequestView(OrganisationObjectMixin, RateLimitedFormMixin, FormView):
    permission_required = "organisations.request_membership"
    form_class = MembershipRequestForm
    template_name = "organisations/membership_request_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organisation": self.organisation}

    def form_valid(self, form):
        membership_request = write_within_limit(
            self.request,
            MEMBERSHIP_REQUEST_LIMIT,
            form,
            lambda: services.membership_request_create(
                organisation=self.organisation,
                user=self.request.user,
                message=form.cleaned_data["message"],
                terms_accepted=form.cleaned_data.get("terms_accepted", False),
            ),
        )
        if membership_request is None:
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "Your request has been sent to the administrators of %(name)s. "
                "You will get an e-mail when they have decided."
            )
            % {"name": self.organisation.name},
        )
        return redirect(self.organisation)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            pending_request=selectors.pending_membership_request_of(
                organisation=self.organisation, user=self.request.user
            ),
            **kwargs,
        )


class MembersChangeMixin(OrganisationObjectMixin, View):
    """A POST by an administrator on the member list; it returns there with a message."""

    permission_required = "organisations.manage_members"

    def change(self, request, **kwargs) -> str:
        """Make the change and return the success message, or raise ValidationError."""
        raise NotImplementedError

    def post(self, request, **kwargs):
        try:
            messages.success(request, self.change(request, **kwargs))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("organisations:members", slug=self.organisation.slug)


class MembershipRequestDecisionView(MembersChangeMixin):
    def change(self, request, *, pk, decision, **kwargs) -> str:
        membership_request = get_object_or_404(
            self.organisation.membership_requests.select_related("user"), pk=pk
        )
        person = membership_request.user.public_name
        if decision == "approve":
            services.membership_request_approve(
                membership_request=membership_request, decided_by=request.user
            )
            return _("%(person)s is now a member.") % {"person": person}
        form = DeclineForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors["reason"])
        services.membership_request_decline(
            membership_request=membership_request,
            decided_by=request.user,
            reason=form.cleaned_data["reason"],
        )
        return _("You have declined the request of %(person)s; they have been told by e-mail.") % {
            "person": person
        }


class MembershipRoleChangeView(MembersChangeMixin):
    def change(self, request, *, membership_id, **kwargs) -> str:
        membership = get_object_or_404(
            self.organisation.memberships.select_related("user"), pk=membership_id
        )
        form = RoleForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors["role"])
        membership = services.membership_change_role(
            membership=membership, role=form.cleaned_data["role"]
        )
        return _("%(person)s is now %(role)s.") % {
            "person": membership.user.public_name,
            "role": membership.get_role_display(),
        }


class MembershipRemoveView(MembersChangeMixin):
    def change(self, request, *, membership_id, **kwargs) -> str:
        membership = get_object_or_404(
            self.organisation.memberships.select_related("user"), pk=membership_id
        )
        services.membership_remove(membership=membership)
        return _("%(person)s is no longer a member.") % {"person": membership.user.public_name}


class ContactView(OrganisationMixin, RateLimitedFormMixin, FormView):
    """Anyone may write to an organisation; the message goes out by e-mail, nothing is kept."""

    form_class = ContactForm
    template_name = "organisations/contact_form.html"

    def get_initial(self):
        user = self.request.user
        if user.is_authenticated:
            return {"name": user.public_name, "email": user.email}
        return {}

    def form_valid(self, form):
        sent = form.is_spam() or write_within_limit(
            self.request,
            CONTACT_LIMIT,
            form,
            lambda: services.organisation_message_send(
                organisation=self.organisation,
                sender_name=form.cleaned_data["name"],
                sender_email=form.cleaned_data["email"],
                subject=form.cleaned_data["subject"],
                message=form.cleaned_data["message"],
            ),
        )
        if not sent:
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Your message has been sent to %(name)s. They will answer you by e-mail.")
            % {"name": self.organisation.name},
        )
        return redirect(self.organisation)


class FollowView(OrganisationMixin, LoginRequiredMixin, View):
    def get(self, request, slug, follow: bool):
        # Back from the login page: the button is on the organisation's page.
        return redirect(self.organisation)

    def post(self, request, slug, follow: bool):
        if follow:
            services.organisation_follow(organisation=self.organisation, user=request.user)
            messages.success(
                request,
                _("You follow %(name)s and will get an e-mail when it publishes something new.")
                % {"name": self.organisation.name},
            )
        else:
            services.organisation_unfollow(organisation=self.organisation, user=request.user)
            messages.success(
                request, _("You no longer follow %(name)s.") % {"name": self.organisation.name}
            )
        return redirect(self.organisation)


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
