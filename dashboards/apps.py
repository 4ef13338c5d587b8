from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"

    def ready(self):
        # The published final editions' PDFs go into the IATI file as document links.
        from concepts.rendering.links import published_final_pdf_links

        from .iati import DocumentLink, register_document_link_provider

        def concept_pdfs(projects):
            found = published_final_pdf_links(projects)
            return {pk: [DocumentLink(**link) for link in links] for pk, links in found.items()}

        register_document_link_provider(concept_pdfs)
