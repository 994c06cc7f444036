from django.urls import path

from .views import actions, meetings, team

urlpatterns = [
    path("reviews/", meetings.reviews_home, name="reviews"),
    path("reviews/new/", meetings.review_plan, name="review_plan"),
    path("reviews/<int:pk>/", meetings.review_detail, name="review"),
    path("reviews/<int:pk>/edit/", meetings.review_edit, name="review_edit"),
    path("reviews/<int:pk>/minutes/", meetings.review_minutes, name="review_minutes"),
    path("reviews/<int:pk>/hold/", meetings.review_hold, name="review_hold"),
    path("reviews/<int:pk>/approve/", meetings.review_approve, name="review_approve"),
    path("reviews/<int:pk>/sections/<str:section>/", meetings.section_update, name="review_section"),
    path("reviews/<int:pk>/decisions/", meetings.decision_add, name="review_decision_add"),
    path(
        "reviews/<int:pk>/decisions/<int:decision_pk>/remove/",
        meetings.decision_remove,
        name="review_decision_remove",
    ),
    path("reviews/<int:pk>/actions/", meetings.action_add, name="review_action_add"),
    path("reviews/actions/", actions.action_list, name="review_actions"),
    path("reviews/actions/<int:pk>/", actions.action_detail, name="review_action"),
    path("reviews/team-meetings/", team.team_meeting_list, name="team_meetings"),
    path("reviews/team-meetings/new/", team.team_meeting_record, name="team_meeting_record"),
    path("reviews/team-meetings/<int:pk>/", team.team_meeting_detail, name="team_meeting"),
    path("reviews/team-meetings/<int:pk>/edit/", team.team_meeting_edit, name="team_meeting_edit"),
    path("reviews/team-meetings/<int:pk>/issues/", team.issue_raise, name="team_meeting_issue_raise"),
    path("reviews/team-meetings/<int:pk>/issues/<int:issue_pk>/incident/", team.issue_incident, name="issue_incident"),
    path("reviews/team-meetings/<int:pk>/issues/<int:issue_pk>/action/", team.issue_action, name="issue_action"),
    path("reviews/team-meetings/<int:pk>/issues/<int:issue_pk>/noted/", team.issue_note, name="issue_note"),
]
