"""/security/rules/: the alert rules page and a rule's edit form (namespace ``security_rules``)."""

from django.urls import path

from safecampus.security.views import rules as views_rules

app_name = "security_rules"
urlpatterns = [
    path("", views_rules.RuleListView.as_view(), name="list"),
    path("<int:rule_id>/", views_rules.RuleEditView.as_view(), name="edit"),
]
