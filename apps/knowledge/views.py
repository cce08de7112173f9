import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from apps.catalog.cache import cache_public_page
from apps.catalog.models import Topic
from apps.core.forms import add_validation_error
from apps.core.markdown import render_markdown
from apps.core.ratelimit import (
    Limit,
    RateLimited,
    RateLimitedFormMixin,
    rate_limit_hit,
    write_within_limit,
)

from . import selectors, services
from .forms import ArticleForm, DecisionForm, ImageForm, PreviewForm, ProposalForm
from .models import Article, EditProposal, Tag

# Publishing e-mails every follower of the topics; proposals e-mail the author.
ARTICLE_LIMIT = Limit("article", per_user=10, per_ip=20, window=datetime.timedelta(hours=1))
PROPOSAL_LIMIT = Limit("proposal", per_user=10, per_ip=20, window=datetime.timedelta(hours=1))
IMAGE_LIMIT = Limit("image", per_user=30, per_ip=60, window=datetime.timedelta(hours=1))
PUBLISHED_MESSAGE = _lazy("Your article is published. Thank you for sharing what you know!")


def _article_list_page(request, template: str, **filters):
    kind = request.GET.get("art", "")
    if kind not in Article.Kind.values:
        kind = ""  # an unknown kind shows every article, and no kind as chosen
    articles = selectors.article_list(kind=kind, **filters)
    page = Paginator(articles, per_page=20).get_page(request.GET.get("page"))
    return render(
        request,
        template,
        {
            "page": page,
            "kinds": Article.Kind.choices,
            "kind": kind,
            "topics": selectors.topics_with_articles(),
            "tags": selectors.popular_tags(),
            "followed_topics": selectors.followed_topic_ids(request.user),
            "drafts": selectors.drafts_of(user=request.user)
            if request.user.is_authenticated
            else [],
            **filters,
        },
    )


@cache_public_page
def hub(request):
    return _article_list_page(request, "knowledge/hub.html")


@cache_public_page
def topic(request, slug):
    return _article_list_page(
        request, "knowledge/hub.html", topic=get_object_or_404(Topic, slug=slug)
    )


@cache_public_page
def tag(request, slug):
    return _article_list_page(request, "knowledge/hub.html", tag=get_object_or_404(Tag, slug=slug))


@cache_public_page
def article(request, slug):
    item = selectors.article_visible_to(slug=slug, user=request.user)
    user = request.user
    return render(
        request,
        "knowledge/article.html",
        {
            "article": item,
            "about": selectors.projects_with_sites(item),
            "related_articles": selectors.related_articles(item),
            "related_projects": selectors.related_projects(item),
            "can_edit": user.has_perm("knowledge.change_article", item),
            "can_propose": user.has_perm("knowledge.propose_edit", item),
            "proposals": selectors.pending_proposals(item)
            if selectors.can_decide(user, item)
            else [],
            "follows": selectors.follows_article(user, item),
        },
    )


class ArticleFormMixin(LoginRequiredMixin, RateLimitedFormMixin):
    form_class = ArticleForm
    template_name = "knowledge/article_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(image_form=ImageForm(), **kwargs)

    def form_valid(self, form):
        if "preview" in self.request.POST:
            return self.render_to_response(
                self.get_context_data(form=form, preview=render_markdown(form.cleaned_data["body"]))
            )
        data = dict(form.cleaned_data)
        tag_names = data.pop("tag_names")
        data["projects"] = data.pop("project_links")
        data.pop("site_places")
        # Tags are created in the same transaction as the article, so a refusal leaves none.
        saved = write_within_limit(
            self.request,
            ARTICLE_LIMIT,
            form,
            lambda: self.save(
                {**data, "tags": services.tags_from_text(tag_names)},
                publish="publish" in self.request.POST,
            ),
        )
        if saved is None:
            return self.form_invalid(form)
        messages.success(self.request, self.success_message(saved))
        return redirect(saved)


class ArticleCreateView(ArticleFormMixin, FormView):
    def save(self, data, *, publish):
        return services.article_create(author=self.request.user, publish=publish, **data)

    def success_message(self, saved):
        if saved.status == Article.Status.PUBLISHED:
            return PUBLISHED_MESSAGE
        return _("Your draft is saved. Only you and the editors can see it.")


class ArticleObjectMixin(LoginRequiredMixin, PermissionRequiredMixin):
    @cached_property
    def article(self) -> Article:
        return get_object_or_404(Article.objects.select_related("author"), slug=self.kwargs["slug"])

    def get_permission_object(self):
        return self.article

    def get_context_data(self, **kwargs):
        return super().get_context_data(article=self.article, **kwargs)


class ArticleUpdateView(ArticleObjectMixin, ArticleFormMixin, FormView):
    permission_required = "knowledge.change_article"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.article}

    def form_invalid(self, form):
        self.article.refresh_from_db()
        return super().form_invalid(form)

    def save(self, data, *, publish):
        comment = data.pop("comment", "")
        saved = services.article_update(
            article=self.article, editor=self.request.user, comment=comment, **data
        )
        if publish and saved.status == Article.Status.DRAFT:
            saved = services.article_publish(article=saved, actor=self.request.user)
        return saved

    def success_message(self, saved):
        return _("The article has been saved; the change is in its history.")


@login_required
@require_POST
def publish(request, slug):
    item = get_object_or_404(Article, slug=slug)
    if item.author_id != request.user.pk:
        raise PermissionDenied
    try:
        with transaction.atomic():
            rate_limit_hit(request, ARTICLE_LIMIT)
            services.article_publish(article=item, actor=request.user)
    except RateLimited as limited:
        messages.error(request, limited.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, PUBLISHED_MESSAGE)
    return redirect(item)


@login_required
@require_POST
def set_hidden(request, slug):
    """Moderators take an article off the public site, or put it back."""
    item = get_object_or_404(Article, slug=slug)
    if not request.user.has_perm("knowledge.moderate_article", item):
        raise PermissionDenied
    hide = request.POST.get("hidden") == "1"
    try:
        services.article_set_hidden(article=item, moderator=request.user, hidden=hide)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The article is hidden.") if hide else _("The article is public again.")
        )
    return redirect(item)


@login_required
@require_POST
def preview(request):
    """The server's rendering of Markdown while someone writes (htmx); the same cleaning as
    the published page, so the preview never shows more than the page will."""
    form = PreviewForm(request.POST)
    html = render_markdown(form.cleaned_data["body"]) if form.is_valid() else ""
    return HttpResponse(html or "<p>…</p>")


class ImageUploadView(LoginRequiredMixin, RateLimitedFormMixin, FormView):
    form_class = ImageForm
    template_name = "knowledge/image_upload.html"

    def form_valid(self, form):
        try:
            image = services.image_upload(file=form.cleaned_data["image"], user=self.request.user)
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        alt = form.cleaned_data["alt"].replace("]", "").replace("[", "")
        return self.render_to_response(
            self.get_context_data(
                form=ImageForm(), image=image, snippet=f"![{alt}]({image.image.url})"
            )
        )

    def get_template_names(self):
        if self.request.htmx:
            return ["knowledge/_image_result.html"]
        return [self.template_name]


class ProposalCreateView(ArticleObjectMixin, RateLimitedFormMixin, FormView):
    permission_required = "knowledge.propose_edit"
    form_class = ProposalForm
    template_name = "knowledge/proposal_form.html"

    def get_initial(self):
        return {name: getattr(self.article, name) for name in ("title", "summary", "body")}

    def form_valid(self, form):
        proposal = write_within_limit(
            self.request,
            PROPOSAL_LIMIT,
            form,
            lambda: services.proposal_create(
                article=self.article, proposer=self.request.user, **form.cleaned_data
            ),
        )
        if proposal is None:
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Thank you! The author will look at your proposal; you will get an e-mail."),
        )
        return redirect(self.article)


class ProposalView(LoginRequiredMixin, TemplateView):
    template_name = "knowledge/proposal.html"

    @cached_property
    def proposal(self) -> EditProposal:
        proposal = get_object_or_404(
            EditProposal.objects.select_related("article__author", "proposer", "decided_by"),
            pk=self.kwargs["pk"],
        )
        user = self.request.user
        if proposal.proposer_id != user.pk and not selectors.can_decide(user, proposal.article):
            raise Http404
        return proposal

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            proposal=self.proposal,
            article=self.proposal.article,
            changes=selectors.proposal_diff(self.proposal),
            can_decide=selectors.can_decide(self.request.user, self.proposal.article),
            form=kwargs.pop("form", None) or DecisionForm(),
            **kwargs,
        )

    def post(self, request, pk):
        if not selectors.can_decide(request.user, self.proposal.article):
            raise PermissionDenied
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            if "accept" in request.POST:
                services.proposal_accept(proposal=self.proposal, decided_by=request.user)
                messages.success(request, _("The change is accepted and is now a revision."))
            else:
                services.proposal_reject(
                    proposal=self.proposal, decided_by=request.user, note=form.cleaned_data["note"]
                )
                messages.success(request, _("The proposal is rejected; its author is told."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(self.proposal.article)


@cache_public_page
def history(request, slug):
    item = selectors.article_visible_to(slug=slug, user=request.user)
    return render(
        request,
        "knowledge/history.html",
        {
            "article": item,
            "revisions": selectors.revisions(item, request.user),
            "can_restore": request.user.has_perm("knowledge.restore_revision", item),
        },
    )


@cache_public_page
def revision(request, slug, revision_id):
    item = selectors.article_visible_to(slug=slug, user=request.user)
    return render(
        request,
        "knowledge/revision.html",
        {
            "article": item,
            "revision": selectors.revision(item, revision_id, request.user),
            "can_restore": request.user.has_perm("knowledge.restore_revision", item),
        },
    )


@login_required
@require_POST
def restore(request, slug, revision_id):
    item = get_object_or_404(Article, slug=slug)
    if not request.user.has_perm("knowledge.restore_revision", item):
        raise PermissionDenied
    try:
        services.revision_restore(article=item, revision_id=revision_id, editor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("knowledge:history", slug=item.slug)
    messages.success(request, _("The old version is restored as a new revision."))
    return redirect(item)


@login_required
@require_POST
def article_follow(request, slug):
    item = selectors.article_visible_to(slug=slug, user=request.user)
    follow = request.POST.get("follow") == "1"
    services.follow_article(article=item, user=request.user, follow=follow)
    if follow:
        messages.success(request, _("You will get an e-mail on new revisions and comments."))
    else:
        messages.success(request, _("You no longer follow this article."))
    return redirect(item)


@login_required
@require_POST
def topic_follow(request, slug):
    item = get_object_or_404(Topic, slug=slug)
    follow = request.POST.get("follow") == "1"
    services.follow_topic(topic=item, user=request.user, follow=follow)
    if follow:
        messages.success(
            request,
            _("You will get an e-mail when a new article on %(topic)s appears.") % {"topic": item},
        )
    else:
        messages.success(request, _("You no longer follow %(topic)s.") % {"topic": item})
    return redirect("knowledge:topic", slug=item.slug)
