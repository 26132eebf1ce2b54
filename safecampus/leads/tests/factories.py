from __future__ import annotations

import factory

from safecampus.leads.models import LeadCategory


class LeadCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test_category_{n}")
    name = factory.Sequence(lambda n: f"类别{n}")
