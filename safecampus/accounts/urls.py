"""Sign-in, second factor, password and API-token pages."""

from django.urls import path

from safecampus.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.TwoFactorView.as_view(), name="two_factor"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
]
