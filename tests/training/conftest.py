"""Fixtures of the training tests: policies published through the policies app, modules with a quiz."""

import pytest
from django_tenants.utils import schema_context

from policies import services as policy_services
from training import services
from training.quiz import quiz_parse

QUIZ = """
Q: Where do you report a suspicious e-mail?
[x] To the security team
[ ] Nowhere, just delete it
Q: Which accounts use two-factor authentication?
[x] Every administrative account
[x] Every account where the tenant requires it
[ ] None
Q: How long are backups kept?
[ ] One day
[x] Seven days
Q: Who may see another customer's data?
[ ] Our support staff
[x] Nobody
"""


@pytest.fixture
def publish(acme):
    """Publish a policy version through the policies app: written by the CISO, approved by Management."""

    def publish(policy, body="Be careful.", summary=""):
        with schema_context("acme"):
            version = policy_services.policy_version_create(
                policy=policy, by=acme.ciso, body=body, change_summary=summary
            )
            policy_services.policy_version_approve(version=version, by=acme.management)
            return policy_services.policy_version_publish(version=version, by=acme.ciso)

    return publish


@pytest.fixture
def make_policy(acme, publish):
    def make(title="IT security policy", onboarding=True, audience=(), body="# IT security policy\n\nBe careful."):
        with schema_context("acme"):
            policy = policy_services.policy_create(
                by=acme.ciso, title=title, owner=acme.ciso, audience=audience, onboarding=onboarding
            )
        publish(policy, body=body)
        return policy

    return make


@pytest.fixture
def make_module(acme):
    def make(title="Security onboarding", quiz=QUIZ, policies=(), **fields):
        fields.setdefault("onboarding", True)
        fields.setdefault("pass_mark", 75)
        with schema_context("acme"):
            return services.module_create(
                by=acme.ciso,
                title=title,
                content=fields.pop("content", "## How we secure your data\n\nRead this."),
                questions=quiz_parse(quiz) if quiz else [],
                policies=policies,
                **fields,
            )

    return make


def right_answers(module) -> dict[int, list[int]]:
    with schema_context("acme"):
        return {
            question.pk: [option.pk for option in question.options.all() if option.correct]
            for question in module.questions.prefetch_related("options")
        }


def wrong_answers(module, wrong: int) -> dict[int, list[int]]:
    """Answers with the first ``wrong`` questions answered wrongly."""
    with schema_context("acme"):
        answers = {}
        for n, question in enumerate(module.questions.prefetch_related("options")):
            options = list(question.options.all())
            pick = [o.pk for o in options if o.correct] if n >= wrong else [o.pk for o in options if not o.correct][:1]
            answers[question.pk] = pick
        return answers
