"""factory_boy factories for the whole project."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from apps.accounts.models import User
from apps.catalog.models import Project, Site, TargetGroup, Topic
from apps.organisations.models import Membership, Organisation
from apps.places.models import Municipality, SettlementType
from apps.search.services import projects_index


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name", locale="de_DE")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def moderator() -> User:
    user = UserFactory(display_name="Moderation")
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    return user


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    name = factory.Sequence(lambda n: f"Musterdorf {n}")
    slug = factory.Sequence(lambda n: f"musterdorf-{n}-nw")
    state = "NW"
    latitude = 51.5
    longitude = 7.0
    population = 3_000
    settlement_type = factory.LazyAttribute(lambda m: SettlementType.for_population(m.population))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Bürgerverein {n} e. V.")
    slug = factory.Sequence(lambda n: f"buergerverein-{n}")
    municipality = factory.SubFactory(MunicipalityFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Thema {n}")
    slug = factory.Sequence(lambda n: f"thema-{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    """A published project with its origin site, indexed for search."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Projekt Nummer {n}")
    slug = factory.Sequence(lambda n: f"projekt-nummer-{n}")
    summary = "Ein erprobtes Projekt für das Miteinander im Ort."
    problem = "Im Ort fehlt ein Treffpunkt."
    solution = "Ehrenamtliche öffnen einen Treffpunkt."
    impact = "Jede Woche kommen 40 Menschen."
    municipality = factory.SubFactory(MunicipalityFactory)
    founded_year = 2015
    status = Project.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)

    @factory.post_generation
    def target_groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_groups.set(extracted)

    @factory.post_generation
    def origin(self, create, extracted, **kwargs):
        if not create:
            return
        Site.objects.create(
            project=self,
            municipality=self.municipality,
            organisation=self.organisation,
            is_origin=True,
            started_on=timezone.datetime(self.founded_year, 1, 1).date(),
        )
        Project.objects.filter(pk=self.pk).update(
            active_site_count=self.sites.filter(status="active").count()
        )
        self.refresh_from_db()
        projects_index(projects=[self])


def target_group(slug: str) -> TargetGroup:
    return TargetGroup.objects.get(slug=slug)


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "organisations.Follow"

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)


class MembershipRequestFactory(factory.django.DjangoModelFactory):
    """A pending request to join an organisation."""

    class Meta:
        model = "organisations.MembershipRequest"

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    message = "Ich möchte gern mitmachen."


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on a published project (pass article=... and project=None for an article)."""

    class Meta:
        model = "comments.Comment"

    project = factory.SubFactory(ProjectFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Ein hilfreicher Kommentar Nummer {n}.")
