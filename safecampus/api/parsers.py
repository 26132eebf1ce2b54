"""The API's JSON parser: a body is a JSON object, whatever the endpoint.

Every /api/v1 body is a set of named fields; a list, a string or a number reached views
that call ``data.get`` and answered 500. Refusing them here, once, means no endpoint can
forget (a test checks that every API view parses JSON with this class).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser


class JSONObjectParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError(_("Send a JSON object (named fields), not a list or a single value."))
        return data


#: DRF's default parsers with the JSON one replaced: REST_FRAMEWORK's default, and the list
#: a view names when it needs its own (e.g. to say it takes files).
BODY_PARSERS = [JSONObjectParser, FormParser, MultiPartParser]
