from django.urls import path

from .views import auth, people, profile, settings, twofactor

# Pages shared by tenant hosts and the operators' public host.
auth_urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("2fa/enrol/", twofactor.enrol, name="two_factor_enrol"),
    path("2fa/verify/", twofactor.verify, name="two_factor_verify"),
    path("reauthenticate/", auth.reauthenticate, name="reauthenticate"),
]

urlpatterns = [
    *auth_urlpatterns,
    path("accounts/set-password/<uidb64>/<token>/", auth.SetPasswordView.as_view(), name="set_password"),
    path("invitations/<str:token>/", auth.invitation_accept, name="invitation_accept"),
    path("profile/", profile.profile, name="profile"),
    path("profile/password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("profile/backup-codes/", twofactor.backup_codes_regenerate, name="backup_codes_regenerate"),
    path("profile/devices/<int:device_id>/remove/", twofactor.device_remove, name="device_remove"),
    path("people/", people.people_list, name="people"),
    path("people/invite/", people.person_invite, name="person_invite"),
    path("people/<int:pk>/", people.person_detail, name="person"),
    path("people/<int:pk>/status/", people.person_deactivate, name="person_status"),
    path("people/<int:pk>/unlock/", people.person_unlock, name="person_unlock"),
    path("people/<int:pk>/offboard/", people.person_offboard, name="person_offboard"),
    path("people/offboarding/<int:pk>/", people.offboarding_detail, name="offboarding"),
    path("people/invitations/<int:pk>/revoke/", people.invitation_revoke, name="invitation_revoke"),
    path("settings/security/", settings.security_settings, name="security_settings"),
]
