from django.urls import path

from bangfu.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("new/", views.user_create, name="user_create"),
    path("<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("<int:pk>/password/", views.user_password, name="user_password"),
    path("<int:pk>/totp-reset/", views.user_totp_reset, name="user_totp_reset"),
    path("<int:pk>/tokens/", views.user_tokens, name="user_tokens"),
    path("<int:pk>/tokens/<int:token_pk>/revoke/", views.user_token_revoke, name="user_token_revoke"),
    path("totp/", views.totp_setup, name="totp_setup"),
    path("totp/disable/", views.totp_disable, name="totp_disable"),
]
