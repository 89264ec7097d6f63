"""Every page carries the portal's security headers."""

import pytest


@pytest.mark.embedded
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz", "/no-such-page/"])
def test_security_headers_on_every_response(client, db, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    directives = {}
    for part in filter(None, (p.strip() for p in csp.split(";"))):
        name, _, value = part.partition(" ")
        directives[name] = value
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_page_loads_anything_from_another_host(client, db):
    html = client.get("/").content.decode()
    assert "googleapis" not in html
    assert 'src="http' not in html
    assert 'href="http' not in html.split("<body")[0]  # nothing remote in <head>
