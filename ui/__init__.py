"""The agents' side panel: server-rendered pages (Jinja2) made live with htmx."""
