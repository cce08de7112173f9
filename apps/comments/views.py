"""Comment views. Comments are written in the thread under an article or a project; these
views take the forms, and show a form page of their own only to edit, to report, to hide, or
to explain what was wrong with a submission."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from apps.core.forms import add_validation_error
from apps.core.ratelimit import Limit, RateLimitedFormMixin, write_within_limit

from . import selectors, services
from .forms import CommentCreateForm, CommentForm, HideForm, ReportForm
from .models import Comment, CommentReport

COMMENT_LIMIT = Limit("comment", per_user=20, per_ip=40, window=datetime.timedelta(hours=1))
# Each report e-mails every moderator.
REPORT_LIMIT = Limit("comment_report", per_user=10, per_ip=20, window=datetime.timedelta(hours=1))

FORM_PAGE = "comments/form_page.html"


def _comments(**visibility):
    return Comment.objects.select_related("author", "article", "project").filter(**visibility)


class CommentMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """A view on one comment; `visibility` narrows which comments it can find at all."""

    visibility: dict = {"deleted_at": None, "hidden_at": None}

    @cached_property
    def comment(self) -> Comment:
        comment = get_object_or_404(_comments(**self.visibility), pk=self.kwargs["pk"])
        # A comment is only as visible as the article or project it is under.
        subject_permission = (
            "knowledge.view_article" if comment.article_id else "catalog.view_project"
        )
        if not self.request.user.has_perm(subject_permission, comment.subject):
            raise Http404
        return comment

    def get_permission_object(self):
        return self.comment


class FormPageMixin:
    """Context for comments/form_page.html."""

    page_title = ""
    intro = ""
    submit_label = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=self.page_title,
            intro=self.intro,
            submit_label=self.submit_label,
            quoted=self.comment,
            cancel_url=self.comment.get_absolute_url(),
            **kwargs,
        )


class CommentCreateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """A new comment or an answer from the form under an article or a project."""

    permission_required = "comments.comment"

    def post(self, request):
        form = CommentCreateForm(request.POST, auto_id="comment_%s")
        if form.is_valid():
            comment = write_within_limit(
                request,
                COMMENT_LIMIT,
                form,
                lambda: services.comment_create(
                    subject=form.subject,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    parent=form.parent,
                ),
            )
            if comment is not None:
                messages.success(request, _("Your comment has been published."))
                return redirect(comment.get_absolute_url())
        return render(
            request,
            FORM_PAGE,
            {
                "form": form,
                "page_title": _("Write a comment"),
                "submit_label": _("Publish comment"),
                "cancel_url": form.subject.get_absolute_url() if form.subject else "",
            },
            status=429 if getattr(form, "limit_reached", False) else 400,
        )


class ReplyView(CommentMixin, FormPageMixin, RateLimitedFormMixin, FormView):
    permission_required = "comments.comment"
    form_class = CommentForm
    template_name = FORM_PAGE
    page_title = gettext_lazy("Answer a comment")
    submit_label = gettext_lazy("Publish answer")

    def form_valid(self, form):
        reply = write_within_limit(
            self.request,
            COMMENT_LIMIT,
            form,
            lambda: services.comment_create(
                subject=self.comment.subject,
                author=self.request.user,
                body=form.cleaned_data["body"],
                parent=self.comment,
            ),
        )
        if reply is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Your answer has been published."))
        return redirect(reply.get_absolute_url())


class EditView(CommentMixin, FormPageMixin, FormView):
    permission_required = "comments.change_comment"
    form_class = CommentForm
    template_name = FORM_PAGE
    page_title = gettext_lazy("Change your comment")
    submit_label = gettext_lazy("Save changes")

    @property
    def intro(self):
        return _("You can change a comment within %(minutes)d minutes of writing it.") % {
            "minutes": int(services.EDIT_WINDOW.total_seconds() // 60)
        }

    def dispatch(self, request, *args, **kwargs):
        is_author = request.user.is_authenticated and request.user.has_perm(
            "comments.change_comment", self.comment
        )
        if is_author and not services.can_still_edit(self.comment):
            messages.error(request, _("The time for changing this comment is over."))
            return redirect(self.comment.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"body": self.comment.body}

    def get_context_data(self, **kwargs):
        # The text being changed is in the form already.
        return {**super().get_context_data(**kwargs), "quoted": None}

    def form_valid(self, form):
        try:
            comment = services.comment_edit(
                comment=self.comment, editor=self.request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your comment has been changed."))
        return redirect(comment.get_absolute_url())


class DeleteView(CommentMixin, View):
    permission_required = "comments.change_comment"
    visibility = {"deleted_at": None}

    def post(self, request, pk):
        services.comment_delete(comment=self.comment, actor=request.user)
        messages.success(request, _("Your comment has been deleted."))
        return redirect(self.comment.get_absolute_url())


class ReportView(CommentMixin, FormPageMixin, RateLimitedFormMixin, FormView):
    permission_required = "comments.report_comment"
    form_class = ReportForm
    template_name = FORM_PAGE
    page_title = gettext_lazy("Report a comment")
    intro = gettext_lazy(
        "The moderation will read the comment and can hide it. Its author is not told who "
        "reported it."
    )
    submit_label = gettext_lazy("Send report")

    def form_valid(self, form):
        report = write_within_limit(
            self.request,
            REPORT_LIMIT,
            form,
            lambda: services.comment_report(
                comment=self.comment,
                reporter=self.request.user,
                reason=form.cleaned_data["reason"],
            ),
        )
        if report is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you. The moderation will look at this comment."))
        return redirect(self.comment.get_absolute_url())


# Moderation -----------------------------------------------------------------------------------


def _next_or(request: HttpRequest, fallback: str) -> str:
    """Back to the page the moderator came from (the queue or the thread), if it is a path on
    this site; otherwise the fallback. A path, because redirect() would take a word such as
    "kaputt" for the name of a URL pattern, and fail on it after the change was saved."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class ModerationQueueView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "comments.moderate_comments"
    template_name = "comments/moderation.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(reports=selectors.open_reports(), **kwargs)


class HideView(CommentMixin, FormPageMixin, FormView):
    permission_required = "comments.moderate_comments"
    visibility = {"deleted_at": None}
    form_class = HideForm
    template_name = FORM_PAGE
    page_title = gettext_lazy("Hide a comment")
    intro = gettext_lazy(
        "Hidden comments are shown to nobody but the moderation; open reports about the "
        "comment are closed. Its author is told the reason by e-mail."
    )
    submit_label = gettext_lazy("Hide comment")

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=self.request.GET.get("next", ""), **kwargs)

    def form_valid(self, form):
        try:
            comment = services.comment_hide(
                comment=self.comment,
                moderator=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The comment is hidden and its author has been told."))
        return HttpResponseRedirect(_next_or(self.request, comment.get_absolute_url()))


class RestoreView(CommentMixin, View):
    permission_required = "comments.moderate_comments"
    visibility = {"deleted_at": None}

    def post(self, request, pk):
        try:
            comment = services.comment_restore(comment=self.comment, moderator=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            comment = self.comment
        else:
            messages.success(request, _("The comment is shown again."))
        return HttpResponseRedirect(_next_or(request, comment.get_absolute_url()))


class DismissView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """No action needed: close the open reports of the comment, leave it as it is."""

    permission_required = "comments.moderate_comments"

    def post(self, request, report_id):
        report = get_object_or_404(CommentReport.objects.select_related("comment"), pk=report_id)
        if report.resolved_at is not None:
            messages.info(request, _("This report has already been dealt with."))
        else:
            services.comment_reports_dismiss(comment=report.comment, moderator=request.user)
            messages.success(request, _("The report has been closed without action."))
        return redirect(reverse("comments:moderation"))
