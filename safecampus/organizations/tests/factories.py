from __future__ import annotations

import factory

from safecampus.accounts.models import User
from safecampus.organizations.choices import Role, SchoolKind, UnitKind
from safecampus.organizations.models import Membership, School, Unit


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U-{n:04d}")
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = UnitKind.SECTION


class BureauFactory(UnitFactory):
    code = "JY"
    name = "常州市新北区教育局"
    kind = UnitKind.BUREAU

    class Meta:
        model = Unit
        django_get_or_create = ("code",)


class SchoolUnitFactory(UnitFactory):
    code = factory.Sequence(lambda n: f"XB-{n + 1:03d}")
    name = factory.Sequence(lambda n: f"新北区第{n + 1}实验小学")
    kind = UnitKind.SCHOOL
    parent = factory.SubFactory(BureauFactory)
    latitude = factory.Sequence(lambda n: 31.85 + (n % 50) * 0.002)
    longitude = factory.Sequence(lambda n: 119.95 + (n % 50) * 0.002)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    unit = factory.SubFactory(SchoolUnitFactory)
    school_kind = SchoolKind.PRIMARY
    students = 1200
    staff = 90


class AgencyFactory(UnitFactory):
    code = factory.Sequence(lambda n: f"GA-{n + 1:02d}")
    name = factory.Sequence(lambda n: f"新北派出所{n + 1}")
    kind = UnitKind.POLICE_STATION
    agency_kind = "police"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "Correct-Horse-9")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(SchoolUnitFactory)
    role = Role.TEACHER


PASSWORD = "Correct-Horse-9"
