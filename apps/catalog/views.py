from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from apps.organisations.models import Organisation
from apps.search.forms import MatchForm

from . import selectors, services
from .cache import cache_public_page
from .forms import ProjectForm, RejectForm, SiteForm
from .models import Project, Site


@cache_public_page
def project_list(request):
    result = selectors.catalog_search(params=request.GET)
    if result.invalid_filters:
        messages.warning(
            request, _("Some filter values were not recognised and have been ignored.")
        )
    paginator = Paginator(result.projects, per_page=20)
    requested = request.GET.get("page", "1")
    page = paginator.get_page(requested)
    if requested != str(page.number) and "page" in request.GET:
        messages.info(
            request,
            _("That page does not exist; showing page %(number)s.") % {"number": page.number},
        )
    context = {
        "result": result,
        "page": page,
        "filter": result.filterset,
        "facet_counts": selectors.facet_counts(result=result),
    }
    template = (
        "catalog/_results.html"
        if request.htmx and not request.htmx.boosted
        else "catalog/project_list.html"
    )
    return render(request, template, context)


@cache_public_page
def project_detail(request, slug):
    project = selectors.project_visible_to(slug=slug, user=request.user)
    return render(
        request,
        "catalog/project_detail.html",
        {
            "project": project,
            "map_points": selectors.site_map_points(project),
            "can_edit": request.user.has_perm("catalog.change_project", project),
        },
    )


class ProjectCreateView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    permission_required = "organisations.add_project"
    form_class = ProjectForm
    template_name = "catalog/project_form.html"

    @cached_property
    def organisation(self):
        return get_object_or_404(Organisation, slug=self.kwargs["organisation_slug"])

    def get_permission_object(self):
        return self.organisation

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        project = services.project_create(
            organisation=self.organisation, created_by=self.request.user, **data
        )
        messages.success(
            self.request,
            _(
                "Thank you! Your project has been saved and will be published "
                "after a moderator has reviewed it."
            ),
        )
        return redirect(project)

    def get_context_data(self, **kwargs):
        return super().get_context_data(organisation=self.organisation, **kwargs)


class ProjectObjectMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "catalog.change_project"

    @cached_property
    def project(self) -> Project:
        return get_object_or_404(
            Project.objects.select_related("organisation"), slug=self.kwargs["slug"]
        )

    def get_permission_object(self):
        return self.project

    def get_context_data(self, **kwargs):
        return super().get_context_data(project=self.project, **kwargs)


class ProjectUpdateView(ProjectObjectMixin, FormView):
    form_class = ProjectForm
    template_name = "catalog/project_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.project}

    def form_valid(self, form):
        services.project_update(project=self.project, **form.cleaned_data)
        messages.success(self.request, _("The project has been updated."))
        return redirect(self.project)

    def form_invalid(self, form):
        # The ModelForm wrote the invalid values onto the instance; reload so nothing leaks.
        self.project.refresh_from_db()
        return super().form_invalid(form)


class SiteFormMixin(ProjectObjectMixin):
    form_class = SiteForm
    template_name = "catalog/site_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.project, "user": self.request.user}

    def get_success_url(self):
        return self.project.get_absolute_url() + "#sites"


class SiteCreateView(SiteFormMixin, FormView):
    def form_valid(self, form):
        try:
            services.site_create(project=self.project, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The site has been added."))
        return HttpResponseRedirect(self.get_success_url())


class SiteUpdateView(SiteFormMixin, FormView):
    @cached_property
    def site(self) -> Site:
        return get_object_or_404(self.project.sites, pk=self.kwargs["site_id"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.site}

    def form_valid(self, form):
        try:
            services.site_update(site=Site.objects.get(pk=self.site.pk), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The site has been updated."))
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(site=self.site, **kwargs)


class SiteDeleteView(ProjectObjectMixin, View):
    def post(self, request, slug, site_id):
        site = get_object_or_404(self.project.sites, pk=site_id)
        try:
            services.site_delete(site=site)
            messages.success(request, _("The site has been removed."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(self.project.get_absolute_url() + "#sites")


class ModeratorRequiredMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "catalog.moderate_project"


class ModerationQueueView(ModeratorRequiredMixin, ListView):
    template_name = "catalog/moderation_queue.html"
    context_object_name = "projects"
    paginate_by = 50

    def get_queryset(self):
        return selectors.moderation_queue()


class ModerationDecisionView(ModeratorRequiredMixin, View):
    def post(self, request, slug, decision):
        project = get_object_or_404(Project, slug=slug)
        try:
            if decision == "approve":
                services.project_approve(project=project, moderator=request.user)
                messages.success(
                    request, _("“%(title)s” is now published.") % {"title": project.title}
                )
            else:
                form = RejectForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Please tell the project team why it was rejected."))
                services.project_reject(
                    project=project, moderator=request.user, note=form.cleaned_data["note"]
                )
                messages.success(
                    request, _("“%(title)s” has been rejected.") % {"title": project.title}
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("catalog:moderation_queue")


@method_decorator(cache_public_page, name="dispatch")
class HomeView(TemplateView):
    template_name = "catalog/home.html"

    def get_context_data(self, **kwargs):
        latest = selectors.project_list_queryset().order_by("-published_at", "-id")[:6]
        return super().get_context_data(
            latest=latest,
            totals=selectors.catalog_totals(),
            match_form=MatchForm(auto_id="match_%s"),
            **kwargs,
        )
