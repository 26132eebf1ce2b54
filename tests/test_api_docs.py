"""/docs/api/: Swagger UI from our own static files, no inline style or script (the CSP
allows none), and every method a signed-in user may send answers without a 500."""

from __future__ import annotations

import re

import pytest

from conftest import login

pytestmark = pytest.mark.django_db


def test_the_docs_page_has_no_inline_style_or_script(client, teacher_a):
    login(client, teacher_a)
    page = client.get("/docs/api/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<style" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html
    assert "/static/css/api-docs" in html and "/static/drf_spectacular_sidecar/" in html
    script = re.search(r'<script src="(/docs/api/\?[^"]*script[^"]*)"', html)
    assert script is not None
    code = client.get(script.group(1).replace("&amp;", "&"))
    assert code.status_code == 200 and code["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in code.content.decode()


@pytest.mark.parametrize("method", ["options", "head", "post", "put", "delete"])
def test_other_methods_on_the_docs_page_are_not_a_500(client, teacher_a, method):
    login(client, teacher_a)
    answer = getattr(client, method)("/docs/api/")
    assert answer.status_code == (200 if method == "head" else 405), answer.content[:200]


def test_the_docs_page_sends_anonymous_visitors_to_sign_in(client):
    answer = client.options("/docs/api/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
