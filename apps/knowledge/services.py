"""Writes for the knowledge hub: articles and their revisions, edit proposals, images, follows.

Every save of an article's text goes through _save_revision, so each change is a revision
(django-simple-history) with its author and a comment, and the article's followers hear of it.
"""

import io
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from apps.accounts.models import User
from apps.accounts.rules import is_moderator
from apps.catalog.cache import bump_catalog_version
from apps.catalog.models import Project, Site, Topic
from apps.core.email import absolute_url, send_templated_email
from apps.core.slugs import unique_slug
from apps.core.text import plain_text
from apps.search.text import stems

from . import selectors
from .models import Article, ArticleFollow, ArticleImage, EditProposal, Tag, TopicFollow
from .rules import is_editor

TEXT_FIELDS = ("title", "summary", "body")
# Paths under /wissen/ that an article's slug must not shadow.
RESERVED_SLUGS = {"neu", "vorschau", "bilder", "themen", "schlagworte", "vorschlaege"}
MAX_TAGS = 10


def tags_from_text(text: str) -> list[Tag]:
    """Comma-separated tag names to tags, created as needed."""
    names = []
    for name in (part.strip() for part in plain_text(text).split(",")):
        if name and name.casefold() not in {known.casefold() for known in names}:
            names.append(name[:60])
    if len(names) > MAX_TAGS:
        raise ValidationError({"tags": _("Please use at most %(max)d tags.") % {"max": MAX_TAGS}})
    tags = []
    for name in names:
        slug = slugify(name)[:70]
        if not slug:
            raise ValidationError({"tags": _("“%(name)s” is not a usable tag.") % {"name": name}})
        tags.append(_tag(name, slug))
    return tags


def _tag(name: str, slug: str) -> Tag:
    try:
        with transaction.atomic():
            return Tag.objects.get_or_create(slug=slug, defaults={"name": name})[0]
    except IntegrityError:  # the same new tag added by someone else at this moment
        return Tag.objects.get(slug=slug)


def _save_revision(article: Article, *, user: User | None, comment) -> Article:
    """Save the article as a new revision. Generated comments are lazy translations, stored in
    the platform's language so the history does not switch languages."""
    for name in TEXT_FIELDS:
        setattr(article, name, plain_text(getattr(article, name)))
    article.reading_minutes = article.count_reading_minutes()
    article.search_stems = " ".join(stems(f"{article.title} {article.summary} {article.body}"))
    article.full_clean(exclude=["slug"])
    article._history_user = user
    with translation.override(settings.LANGUAGE_CODE):
        article._change_reason = str(comment)[:100]
    article.save()
    bump_catalog_version()  # anonymous pages are cached per catalog version
    return article


def _set_relations(article: Article, **relations) -> None:
    for name, values in relations.items():
        if values is not None:
            getattr(article, name).set(values)


@transaction.atomic
def article_create(
    *,
    author: User,
    topics: Iterable[Topic],
    tags: Iterable[Tag] = (),
    projects: Iterable[Project] = (),
    sites: Iterable[Site] = (),
    publish: bool = False,
    **fields,
) -> Article:
    article = Article(author=author, **fields)
    article.slug = unique_slug(
        Article, slugify(article.title) or "artikel", reserved=RESERVED_SLUGS
    )
    if publish:
        article.status = Article.Status.PUBLISHED
        article.published_at = timezone.now()
    _save_revision(article, user=author, comment=gettext_lazy("First version"))
    _set_relations(article, topics=topics, tags=tags, projects=projects, sites=sites)
    if publish:
        _announce_article(article)
    return article


@transaction.atomic
def article_update(
    *,
    article: Article,
    editor: User,
    comment: str,
    topics: Iterable[Topic] | None = None,
    tags: Iterable[Tag] | None = None,
    projects: Iterable[Project] | None = None,
    sites: Iterable[Site] | None = None,
    **fields,
) -> Article:
    """Change an article (its author or an editor); the change becomes a revision."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    text_changed = any(getattr(article, name) != value for name, value in fields.items())
    for name, value in fields.items():
        setattr(article, name, value)
    _save_revision(article, user=editor, comment=comment or gettext_lazy("Edited"))
    _set_relations(article, topics=topics, tags=tags, projects=projects, sites=sites)
    if text_changed:
        _tell_followers_of_revision(article, editor)
    return article


@transaction.atomic
def article_publish(*, article: Article, actor: User) -> Article:
    """The author publishes their draft. A hidden article comes back only through the
    moderation (article_set_hidden)."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == Article.Status.PUBLISHED:
        return article
    if article.status != Article.Status.DRAFT:
        raise ValidationError(_("The moderation has hidden this article."))
    if article.author_id != actor.pk:
        raise PermissionDenied
    first_time = article.published_at is None
    article.status = Article.Status.PUBLISHED
    article.published_at = article.published_at or timezone.now()
    _save_revision(article, user=actor, comment=gettext_lazy("Published"))
    if first_time:
        _announce_article(article)
    return article


@transaction.atomic
def article_set_hidden(*, article: Article, moderator: User, hidden: bool) -> Article:
    if not is_moderator(moderator):
        raise PermissionDenied
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == Article.Status.DRAFT:
        raise ValidationError(_("A draft is not public; there is nothing to hide."))
    article.status = Article.Status.HIDDEN if hidden else Article.Status.PUBLISHED
    comment = gettext_lazy("Hidden by the moderation") if hidden else gettext_lazy("Shown again")
    _save_revision(article, user=moderator, comment=comment)
    return article


# Revisions ------------------------------------------------------------------------------------


@transaction.atomic
def revision_restore(*, article: Article, revision_id: int, editor: User) -> Article:
    """Bring back the text of an old revision, as a new revision (nothing is lost)."""
    if not is_editor(editor):
        raise PermissionDenied
    article = Article.objects.select_for_update().get(pk=article.pk)
    revision = article.history.filter(history_id=revision_id).first()
    if revision is None:
        raise ValidationError(_("This revision does not belong to the article."))
    for name in TEXT_FIELDS:
        setattr(article, name, getattr(revision, name))
    when = timezone.localtime(revision.history_date).strftime("%d.%m.%Y %H:%M")
    with translation.override(settings.LANGUAGE_CODE):
        comment = _("Restored the version of %(date)s") % {"date": when}
    _save_revision(article, user=editor, comment=comment)
    _tell_followers_of_revision(article, editor)
    return article


# Edit proposals -------------------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *, article: Article, proposer: User, title: str, summary: str, body: str, comment: str
) -> EditProposal:
    if article.status != Article.Status.PUBLISHED:
        raise ValidationError(_("Only published articles can be improved by proposals."))
    if article.author_id == proposer.pk:
        raise ValidationError(_("You wrote this article: edit it directly."))
    title, summary, body = (plain_text(text) for text in (title, summary, body))
    if (title, summary, body) == (article.title, article.summary, article.body):
        raise ValidationError(_("Your proposal does not change anything yet."))
    proposal = EditProposal(
        article=article,
        proposer=proposer,
        title=title,
        summary=summary,
        body=body,
        comment=plain_text(comment),
        base_revision=article.history.first(),
    )
    proposal.full_clean()
    proposal.save()
    send_templated_email(
        to=selectors.proposal_decider_emails(article),
        subject=gettext_lazy("A proposed change to “%(title)s”"),
        subject_params={"title": article.title},
        template="knowledge/email/proposal_new.txt",
        context={
            "proposal": proposal,
            "url": absolute_url(reverse("knowledge:proposal", kwargs={"pk": proposal.pk})),
        },
    )
    return proposal


def _lock_pending(proposal: EditProposal) -> EditProposal:
    proposal = (
        EditProposal.objects.select_for_update().select_related("article").get(pk=proposal.pk)
    )
    if proposal.status != EditProposal.Status.PENDING:
        raise ValidationError(_("This proposal has already been decided."))
    return proposal


@transaction.atomic
def proposal_accept(*, proposal: EditProposal, decided_by: User) -> Article:
    """Apply the proposal as a new revision credited to the person who proposed it."""
    proposal = _lock_pending(proposal)
    article = Article.objects.select_for_update().get(pk=proposal.article_id)
    if not selectors.proposal_is_current(proposal):
        raise ValidationError(
            _(
                "The article has changed since this proposal was made; accepting it would undo "
                "those changes. Please reject it and ask for a new proposal."
            )
        )
    for name in TEXT_FIELDS:
        setattr(article, name, getattr(proposal, name))
    _save_revision(article, user=proposal.proposer, comment=proposal.comment)
    _decide(proposal, EditProposal.Status.ACCEPTED, decided_by, note="")
    _tell_followers_of_revision(article, decided_by)
    return article


@transaction.atomic
def proposal_reject(*, proposal: EditProposal, decided_by: User, note: str = "") -> EditProposal:
    proposal = _lock_pending(proposal)
    return _decide(proposal, EditProposal.Status.REJECTED, decided_by, note=note.strip())


def _decide(proposal: EditProposal, status: str, decided_by: User, *, note: str) -> EditProposal:
    proposal.status = status
    proposal.decided_by = decided_by
    proposal.decided_at = timezone.now()
    proposal.decision_note = note[:500]
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if proposal.proposer:
        send_templated_email(
            to=[proposal.proposer.email],
            subject=gettext_lazy("Your proposal for “%(title)s”"),
            subject_params={"title": proposal.article.title},
            template="knowledge/email/proposal_decided.txt",
            context={
                "proposal": proposal,
                "url": absolute_url(proposal.article.get_absolute_url()),
            },
        )
    return proposal


# Images ---------------------------------------------------------------------------------------

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000
MAX_IMAGE_WIDTH = 1600
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png"}
# How Pillow reports a file it cannot read: unknown formats as UnidentifiedImageError, broken
# PNG chunks as SyntaxError, impossible sizes or tiles as ValueError, cut-off data as OSError.
UNUSABLE_IMAGE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    Image.DecompressionBombError,
)


def image_upload(*, file: UploadedFile, user: User) -> ArticleImage:
    """Check an uploaded image, shrink it to at most 1600 px wide and re-encode it, which also
    drops metadata and anything hidden behind the picture data."""
    if file.size > MAX_IMAGE_BYTES:
        raise ValidationError(_("The image is larger than 5 MB."))
    try:
        with Image.open(file) as probe:
            kind = probe.format
            if kind not in IMAGE_FORMATS:
                raise ValidationError(_("Please upload a JPEG, PNG or WebP file."))
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise ValidationError(_("The image has too many pixels."))
            probe.verify()
        file.seek(0)
        with Image.open(file) as picture:
            picture.load()
            # Phones store the picture sideways and say so in EXIF, which re-encoding drops.
            picture = _resized(ImageOps.exif_transpose(picture))
    except UNUSABLE_IMAGE_ERRORS as error:
        raise ValidationError(
            _("This file is not an image we can use. Please upload a JPEG, PNG or WebP file.")
        ) from error
    extension = IMAGE_FORMATS[kind]
    output = io.BytesIO()
    if extension == "jpg":
        picture.convert("RGB").save(output, "JPEG", quality=85, optimize=True)
    elif extension == "webp":
        picture.save(output, "WEBP", quality=85)
    else:
        picture.save(output, "PNG", optimize=True)
    with transaction.atomic():
        image = ArticleImage(uploaded_by=user, width=picture.width, height=picture.height)
        image.image.save(f"bild.{extension}", ContentFile(output.getvalue()), save=False)
        image.save()
    return image


def _resized(picture: Image.Image) -> Image.Image:
    if picture.mode not in ("RGB", "RGBA", "L", "LA"):
        picture = picture.convert("RGBA")
    if picture.width > MAX_IMAGE_WIDTH:
        height = round(picture.height * MAX_IMAGE_WIDTH / picture.width)
        picture = picture.resize((MAX_IMAGE_WIDTH, height), Image.Resampling.LANCZOS)
    return picture


# Follows and notifications --------------------------------------------------------------------


def _set_following(follows, *, follow: bool, **target) -> None:
    if not follow:
        follows.filter(**target).delete()
        return
    try:
        with transaction.atomic():
            follows.get_or_create(**target)
    except IntegrityError:  # followed twice at once
        pass


def follow_article(*, article: Article, user: User, follow: bool) -> None:
    _set_following(ArticleFollow.objects, follow=follow, article=article, user=user)


def follow_topic(*, topic: Topic, user: User, follow: bool) -> None:
    _set_following(TopicFollow.objects, follow=follow, topic=topic, user=user)


def _announce_article(article: Article) -> None:
    """Tell the followers of the article's topics that it has been published."""
    send_templated_email(
        to=selectors.topic_follower_emails(article, exclude=article.author),
        subject=gettext_lazy("New in the knowledge hub: %(title)s"),
        subject_params={"title": article.title},
        template="knowledge/email/article_new.txt",
        context={"article": article, "url": absolute_url(article.get_absolute_url())},
    )


def _tell_followers_of_revision(article: Article, editor: User) -> None:
    if article.status != Article.Status.PUBLISHED:
        return
    send_templated_email(
        to=selectors.article_follower_emails(article, exclude=editor),
        subject=gettext_lazy("“%(title)s” has been revised"),
        subject_params={"title": article.title},
        template="knowledge/email/article_revised.txt",
        context={
            "article": article,
            "url": absolute_url(reverse("knowledge:history", kwargs={"slug": article.slug})),
        },
    )
