from contextvars import ContextVar

# The request being answered in this thread (or task), set by AuditRequestMiddleware.
current_request: ContextVar = ContextVar("audit_current_request", default=None)
