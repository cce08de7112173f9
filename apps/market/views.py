import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from apps.catalog.cache import cache_public_page
from apps.catalog.views import ProjectObjectMixin
from apps.core.forms import add_validation_error
from apps.core.ratelimit import Limit, RateLimitedFormMixin, write_within_limit

from . import selectors, services
from .forms import (
    InterestForm,
    MessageForm,
    OfferForm,
    ReportDecisionForm,
    ReportForm,
    TransitionForm,
)
from .models import Message, MessageReport, RequestStatus
from .rules import is_offer_team

INTEREST_LIMIT = Limit("interest", per_user=5, per_ip=10, window=datetime.timedelta(hours=1))
MESSAGE_LIMIT = Limit("message", per_user=30, per_ip=60, window=datetime.timedelta(hours=1))
# Each report e-mails every moderator.
REPORT_LIMIT = Limit("report", per_user=10, per_ip=20, window=datetime.timedelta(hours=1))


@cache_public_page
def market(request):
    result = selectors.market_search(params=request.GET)
    if result.invalid_filters:
        messages.warning(
            request, _("Some filter values were not recognised and have been ignored.")
        )
    page = Paginator(result.offers, per_page=20).get_page(request.GET.get("page"))
    return render(
        request, "market/market.html", {"result": result, "page": page, "filter": result.filterset}
    )


@cache_public_page
def offer_detail(request, slug):
    offer = selectors.offer_for_project(slug=slug)
    if not request.user.has_perm("market.view_offer", offer):
        raise Http404
    return render(
        request,
        "market/offer_detail.html",
        {
            "offer": offer,
            "project": offer.project,
            "started": selectors.offer_started_sites(offer),
            "can_edit": request.user.has_perm("market.change_offer", offer),
            "is_team": request.user.has_perm("catalog.change_project", offer.project),
        },
    )


class OfferEditView(ProjectObjectMixin, FormView):
    """Create the project's offer, or change it."""

    permission_required = "market.add_offer"
    form_class = OfferForm
    template_name = "market/offer_form.html"

    def get_form_kwargs(self):
        offer = getattr(self.project, "offer", None)
        return {**super().get_form_kwargs(), "instance": offer}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            offer = services.offer_save(
                project=self.project,
                actor=self.request.user,
                components=data.pop("components"),
                **data,
            )
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The transfer offer has been saved."))
        return redirect(offer)


class InterestView(LoginRequiredMixin, PermissionRequiredMixin, RateLimitedFormMixin, FormView):
    permission_required = "market.request_interest"
    form_class = InterestForm
    template_name = "market/interest_form.html"

    @cached_property
    def offer(self):
        return selectors.offer_for_project(slug=self.kwargs["slug"])

    def get_permission_object(self):
        return self.offer

    def handle_no_permission(self):
        if self.request.user.is_authenticated and is_offer_team(self.request.user, self.offer):
            messages.info(self.request, _("This is your own organisation's offer."))
            return redirect(self.offer)
        return super().handle_no_permission()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        interest = write_within_limit(
            self.request,
            INTEREST_LIMIT,
            form,
            lambda: services.interest_request_create(
                offer=self.offer, requester=self.request.user, **form.cleaned_data
            ),
        )
        if interest is None:
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Your interest has been sent. %(organisation)s will answer you here.")
            % {"organisation": self.offer.project.organisation.name},
        )
        return redirect(interest)

    def get_context_data(self, **kwargs):
        return super().get_context_data(offer=self.offer, project=self.offer.project, **kwargs)


@login_required
def request_list(request):
    result = selectors.requests_of(user=request.user, params=request.GET)
    page = Paginator(result.requests, per_page=25).get_page(request.GET.get("page"))
    return render(request, "market/request_list.html", {"filter": result.filterset, "page": page})


class ConversationMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "market.take_part_in_request"

    @cached_property
    def interest(self):
        return selectors.request_by_public_id(public_id=self.kwargs["public_id"])

    def get_permission_object(self):
        return self.interest

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            # Whether a conversation exists is private too.
            raise Http404
        return super().handle_no_permission()

    def conversation_context(self, **forms) -> dict:
        user = self.request.user
        is_party = user.has_perm("market.take_part_in_request", self.interest)
        return {
            "interest": self.interest,
            "offer": self.interest.offer,
            "project": self.interest.offer.project,
            "conversation": selectors.conversation_messages(self.interest),
            "history": selectors.request_history(self.interest),
            "is_party": is_party,
            "can_write": is_party and not self.interest.is_closed,
            "transitions": [
                RequestStatus(status)
                for status in services.allowed_transitions(request=self.interest, actor=user)
            ],
            "message_form": forms.get("message_form") or MessageForm(),
            "transition_form": forms.get("transition_form") or TransitionForm(),
        }


class ConversationView(ConversationMixin, TemplateView):
    permission_required = "market.view_request"
    template_name = "market/conversation.html"

    def get_context_data(self, **kwargs):
        if self.request.user.has_perm("market.take_part_in_request", self.interest):
            services.conversation_mark_read(request=self.interest, user=self.request.user)
        return {**super().get_context_data(**kwargs), **self.conversation_context()}


class MessageCreateView(ConversationMixin, View):
    def post(self, request, public_id):
        form = MessageForm(request.POST)
        if form.is_valid() and write_within_limit(
            request,
            MESSAGE_LIMIT,
            form,
            lambda: services.message_create(
                request=self.interest, author=request.user, body=form.cleaned_data["body"]
            ),
        ):
            messages.success(request, _("Your message has been sent."))
            return redirect(self.interest.get_absolute_url() + "#latest")
        return render(
            request,
            "market/conversation.html",
            self.conversation_context(message_form=form),
            status=429 if getattr(form, "limit_reached", False) else 400,
        )


class TransitionView(ConversationMixin, View):
    def post(self, request, public_id):
        form = TransitionForm(request.POST)
        if form.is_valid():
            try:
                self.interest = services.request_transition(
                    request=self.interest,
                    actor=request.user,
                    to_status=form.cleaned_data["to_status"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("The request is now “%(status)s”.")
                    % {"status": self.interest.get_status_display()},
                )
                return redirect(self.interest)
        return render(
            request,
            "market/conversation.html",
            self.conversation_context(transition_form=form),
            status=400,
        )


class ReportView(LoginRequiredMixin, PermissionRequiredMixin, RateLimitedFormMixin, FormView):
    permission_required = "market.take_part_in_request"
    form_class = ReportForm
    template_name = "market/report_form.html"

    @cached_property
    def message(self) -> Message:
        return get_object_or_404(
            Message.objects.select_related("request__offer__project__organisation", "author"),
            pk=self.kwargs["message_id"],
            is_hidden=False,
        )

    def get_permission_object(self):
        return self.message.request

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise Http404
        return super().handle_no_permission()

    def form_valid(self, form):
        report = write_within_limit(
            self.request,
            REPORT_LIMIT,
            form,
            lambda: services.message_report(
                message=self.message,
                reporter=self.request.user,
                reason=form.cleaned_data["reason"],
            ),
        )
        if report is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you. The moderation will look at this message."))
        return redirect(self.message.request)

    def get_context_data(self, **kwargs):
        return super().get_context_data(reported=self.message, **kwargs)


class ReportQueueView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "market.moderate_reports"
    template_name = "market/report_queue.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(reports=selectors.open_reports(), **kwargs)


class ReportDecisionView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "market.moderate_reports"

    def post(self, request, report_id):
        report = get_object_or_404(MessageReport, pk=report_id)
        form = ReportDecisionForm(request.POST)
        form.is_valid()
        try:
            services.report_resolve(
                report=report,
                moderator=request.user,
                hide_message=form.cleaned_data.get("hide_message", False),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The report has been dealt with."))
        return redirect("market:report_queue")
