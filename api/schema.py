"""OpenAPI generation: every operation documents the ``Error`` body for its failure codes."""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from tickets.models import Event

# For SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] (a nested class has no import path).
EVENT_KIND_CHOICES = Event.Kind.choices


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (see api/exceptions.py)."""

    detail = serializers.CharField(help_text="One sentence for people, in the request's language.")
    code = serializers.CharField(help_text="Machine-readable: invalid, not_authenticated, permission_denied, not_found, throttled, …")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per field, its messages; `non_field_errors` for the request as a whole. Empty unless 400.",
    )

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `errors` names each field and what is wrong with it.",
    "401": "No token, or an invalid or revoked one.",
    "403": "Authenticated, but this role may not do this.",
    "404": "No such object, or one you may not see (the two are indistinguishable).",
    "429": "Too many requests for this token; retry after `Retry-After` seconds.",
}


class AutoSchema(BaseAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        public = any(p is AllowAny for p in self.view.permission_classes)
        codes = ["429"]
        if not public:
            codes += ["401", "403"]
        if method in ("POST", "PUT", "PATCH") or any(p["in"] == "query" for p in operation.get("parameters", [])):
            codes.append("400")
        if "{" in path:
            codes.append("404")
        ref = self.resolve_serializer(ErrorSerializer, "response").ref
        responses = operation.setdefault("responses", {})
        for code in sorted(codes):
            responses.setdefault(
                code, {"description": ERROR_DESCRIPTIONS[code], "content": {"application/json": {"schema": ref}}}
            )
        return operation
