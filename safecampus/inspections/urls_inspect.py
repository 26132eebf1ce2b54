"""Routes: doing inspections and the inspection list (see urls.py)."""

from django.urls import URLPattern, path

from safecampus.inspections import views_inspect as views

urlpatterns: list[URLPattern] = [
    path("", views.InspectionListView.as_view(), name="inspection_list"),
    path("new/", views.InspectionNewView.as_view(), name="inspection_new"),
    path("<int:inspection_id>/", views.InspectionDetailView.as_view(), name="inspection"),
    path("<int:inspection_id>/answers/", views.AnswerSaveView.as_view(), name="answer_save"),
    path("<int:inspection_id>/photos/", views.AnswerPhotoView.as_view(), name="answer_photo"),
    path(
        "<int:inspection_id>/photos/<uuid:attachment_id>/delete/",
        views.AnswerPhotoDeleteView.as_view(),
        name="answer_photo_delete",
    ),
    path(
        "<int:inspection_id>/submit/",
        views.InspectionSubmitView.as_view(),
        name="inspection_submit",
    ),
    path(
        "<int:inspection_id>/cancel/",
        views.InspectionCancelView.as_view(),
        name="inspection_cancel",
    ),
]
