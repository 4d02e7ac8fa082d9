"""Security headers on every answer: a Content-Security-Policy that allows no inline script and
no other origin (htmx's settings are a file; every asset is the app's own), no framing, no
content sniffing, and nothing but the static files kept in a cache (pages and API answers hold
what only their caller may see)."""

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY"),
           (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]


class SecurityHeaders:
    """Pure ASGI middleware, so that it also covers what an exception handler or a mount sends."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        private = not scope["path"].startswith("/static/")

        async def with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [(n, v) for n, v in HEADERS if n not in present]
                if private:
                    added.append((b"cache-control", b"no-store"))
                message = {**message, "headers": [*[(n, v) for n, v in message.get("headers", [])
                                                      if not (private and n.lower() == b"cache-control")], *added]}
            await send(message)

        await self.app(scope, receive, with_headers)
