import pytest
from django.contrib import admin

pytestmark = pytest.mark.django_db

OUR_APPS = {"projects", "activities", "budgets", "concepts"}


def test_every_model_of_the_domain_is_in_the_admin_for_staff(admin_client):
    registered = {model._meta.app_label for model in admin.site._registry}
    assert registered >= OUR_APPS
    for model in admin.site._registry:
        if model._meta.app_label in OUR_APPS:
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            assert admin_client.get(url).status_code == 200, url


def test_a_drafter_is_sent_to_their_concept(client_for, project, users):
    from concepts.tests.factories import ConceptFactory

    concept = ConceptFactory(project=project)
    response = client_for("drafter").get("/")
    assert response.url == f"/concepts/{concept.pk}/"
