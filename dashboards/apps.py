from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"

    def ready(self):
        # The published final editions, in each of their languages, go into the IATI file as document links.
        from concepts.rendering.links import published_final_edition_links
        from documents.links import public_document_links

        from . import checks  # noqa: F401  (registers the IATI settings' system checks)
        from .figures import connect
        from .iati import DocumentLink, register_document_link_provider

        connect()  # each project's budget and spending, summed again when a change commits

        def concept_editions(projects):
            found = published_final_edition_links(projects)
            return {pk: [DocumentLink(**link) for link in links] for pk, links in found.items()}

        register_document_link_provider(concept_editions)

        # The public documents of published projects, with their category, languages and date.
        def public_documents(projects):
            found = public_document_links(projects)
            return {pk: [DocumentLink(**link) for link in links] for pk, links in found.items()}

        register_document_link_provider(public_documents)
