"""Printable editions of a concept: PDF (WeasyPrint) and Word (python-docx), rendered by Celery.

- `documents`: what is printed: the HTML of an edition, of the current draft or of a redline
  between two states, built from `templates/concepts/pdf/`, and its content hash; in one of the
  concept's languages, or the source and a translation together (in columns, or one after the other).
- `fetcher`: the only way WeasyPrint reaches a resource: our own stylesheet and logo, by exact
  name, read from disk. Nothing else (no file://, no network, no data:) is ever fetched.
- `render`: HTML → PDF bytes and page count; document → .docx bytes.
- `tracked`: a comparison as a .docx with native tracked changes and comments (kind `tracked_docx`).
- `docx_marks`: the marks every exported .docx carries (concept, base, section versions) and their reader.
- `services`: RenderJob requests (deduplicated by content hash), runs and recovery.
- `selectors`, `views`: who may see, request and download which render.
- `links`: the published final editions' PDFs for the IATI file (registered by dashboards).
"""
