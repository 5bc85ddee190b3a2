"""The machinery of the outsider sweep: every route, from Django's resolver and the API's OpenAPI
document, with sample values for its parameters; requests; what a response shows.

A route is a path template (``/customers/{pk}/``) and the kind of each parameter: an **id** (an
``int`` converter, ``pk``, ``object_id`` or ``…_id``) is tried with the ids of the sweep's book
(``book.FIRST_ID`` …), a **slug** with every value in ``SLUGS`` (a new slug parameter fails the
sweep until it has sample values here), anything else with ``OTHER``.
"""

from __future__ import annotations

import inspect
import io
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, SlugConverter
from django.urls.resolvers import RegexPattern, RoutePattern

from extramile.cards.output import KINDS as PRINT_FILES
from extramile.cards.printing import DESIGNS
from extramile.playbook.models import Move
from extramile.web.calls import OUTCOMES
from extramile.web.exports import FORMATS

# Sample values of each slug parameter, per route (a new one fails the sweep until it is here).
SLUGS: dict[str, dict[str, list[str]]] = {
    "call-outcome": {"kind": list(OUTCOMES)},
    "card-design-preview": {"design": list(DESIGNS)},
    "cards-download": {"kind": list(PRINT_FILES)},
    "export-book": {"fmt": list(FORMATS)},
    "intention-review": {"kept": ["kept", "not-kept"]},
    "opportunity-move": {"move": list(Move.values)},
}
OTHER: dict[str, str] = {
    "url": "no-such-page/",  # the admin's catch-all
    "rest": "no-such-route",  # the API's catch-all
    "token": "not-a-token",  # unsubscribe, password reset: the token is the credential
    "uidb64": "MQ",
}
ID_NAMES = {"pk", "id", "object_id"}


@dataclass(frozen=True)
class Route:
    """One URL pattern (``name`` is its URL name) or one API operation (``METHOD /api/…``)."""

    name: str
    template: str
    params: dict[str, str]  # name -> "id" | "slug" | "regex:<first alternative>" | "other"
    methods: tuple[str, ...] = ("GET", "POST")
    operation: dict[str, Any] | None = None

    @property
    def ids(self) -> list[str]:
        return [name for name, kind in self.params.items() if kind == "id"]

    @property
    def is_api(self) -> bool:
        return self.operation is not None

    def paths(self, id_value: int, secret: str) -> Iterator[tuple[str, dict[str, str]]]:
        """Concrete paths for one id: every combination of the slugs' sample values."""
        choices: list[list[tuple[str, str]]] = []
        for name, kind in self.params.items():
            if kind == "id":
                choices.append([(name, str(id_value))])
            elif kind == "slug":
                if name not in SLUGS.get(self.name, {}):
                    raise AssertionError(
                        f"{self.name}: give the sweep sample values for the slug “{name}” "
                        "(tests/security/sweep.py, SLUGS)"
                    )
                choices.append([(name, value) for value in SLUGS[self.name][name]])
            elif kind.startswith("regex:"):
                choices.append([(name, kind.removeprefix("regex:"))])
            elif name == "secret":
                choices.append([(name, secret)])
            elif name in OTHER:
                choices.append([(name, OTHER[name])])
            else:
                raise AssertionError(
                    f"{self.name}: the sweep does not know what to put in “{name}” "
                    "(tests/security/sweep.py, OTHER)"
                )
        for combo in itertools.product(*choices):
            values = dict(combo)
            yield "/" + self.template.format(**values).lstrip("/"), values


GROUP = re.compile(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)")


def _regex_template(regex: str, params: dict[str, str]) -> str:
    def group(found: re.Match[str]) -> str:
        name, body = found.group(1), found.group(2)
        first = body.split("|")[0]
        params[name] = (
            "other" if name in OTHER or not re.fullmatch(r"[\w-]+", first) else f"regex:{first}"
        )
        return "{" + name + "}"

    text = GROUP.sub(group, regex.lstrip("^").rstrip("$").replace("\\Z", ""))
    return text.replace("\\", "")


def _route_template(route: str, pattern: RoutePattern, params: dict[str, str]) -> str:
    converters = pattern.converters

    def group(found: re.Match[str]) -> str:
        name = found.group(2)
        converter = converters.get(name)
        if isinstance(converter, IntConverter) or name in ID_NAMES or name.endswith("_id"):
            params[name] = "id"
        elif isinstance(converter, SlugConverter):
            params[name] = "slug"
        else:
            params[name] = "other"
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", group, route)


def web_routes() -> list[Route]:
    """Every URL pattern of the project, admin included; the API's operations are left to
    ``api_routes`` (the resolver does not know their methods)."""
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str, params: dict[str, str], namespace: str) -> None:
        for entry in patterns:
            here = dict(params)
            if isinstance(entry.pattern, RegexPattern):
                piece = _regex_template(entry.pattern.regex.pattern, here)
            else:
                piece = _route_template(str(entry.pattern), entry.pattern, here)
            if isinstance(entry, URLResolver):
                space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + piece, here, space)
            elif isinstance(entry, URLPattern):
                module = getattr(entry.callback, "__module__", "")
                if module.startswith("ninja") and entry.name not in NINJA_PAGES:
                    continue
                name = f"{namespace}{entry.name or prefix + piece}"
                if namespace.startswith("admin:"):
                    methods: tuple[str, ...] = ("GET",)  # all behind admin_view: staff only
                else:
                    methods = ("GET", "POST") if accepts_post(entry.callback) else ("GET",)
                found.append(Route(name, prefix + piece, here, methods))

    walk(get_resolver().url_patterns, "", {}, "")
    return found


def accepts_post(view: Any) -> bool:
    """Whether a view does anything with a POST: a class with ``post``, or a function whose
    source (decorators included) says POST or looks at the method. Unsure means yes."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    try:
        source = inspect.getsource(view)
    except (OSError, TypeError):
        return True
    return "POST" in source or "request.method" in source


# The API's own pages in the resolver that are no operation of the OpenAPI document.
NINJA_PAGES = {"api-root", "openapi-json", "openapi-view", "no_such_route"}


def ninja_paths() -> set[str]:
    """The API operations' paths as the resolver has them (``/api/customers/{customer_id}``)."""
    paths: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            piece = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(entry.pattern))
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + piece)
            elif (
                getattr(entry.callback, "__module__", "").startswith("ninja")
                and entry.name not in NINJA_PAGES
            ):
                paths.add("/" + prefix + piece)

    walk(get_resolver().url_patterns, "")
    return paths


def api_routes(document: dict[str, Any]) -> list[Route]:
    """Every operation of the OpenAPI document, with its one method."""
    routes = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            params = {p["name"]: "id" for p in operation.get("parameters", []) if p["in"] == "path"}
            template = path.lstrip("/")
            routes.append(
                Route(f"{method.upper()} {path}", template, params, (method.upper(),), operation)
            )
    return routes


# --- What a request sends ------------------------------------------------------------------------

USER_FIELDS = {"owner", "author", "coworker", "sold_by", "assignee", "to", "user", "giver"}
ID_FIELDS = {
    "customer",
    "household",
    "from_customer",
    "to_customer",
    "referrer",
    "referred",
    "sale",
    "story",
    "action",
    "article",
    "match",
    "opportunity",
    "request",
    "message",
    "idea",
    "card",
    "promise",
    "invitation",
}


@dataclass
class Sender:
    """The values a sweep request sends: ids of the book, the book's rep as any user field, and
    words that are never the book's mark."""

    id_value: int
    username: str
    user_id: int
    today: str
    now: str
    words: str = "Sweep words"
    search: str = ""  # a piece of a name in the book, to search with

    def query(self) -> dict[str, str]:
        values = {name: str(self.id_value) for name in ID_FIELDS}
        values.update({name: str(self.user_id) for name in USER_FIELDS})
        values.update(q=self.search, find=self.search)
        return values

    def post(self) -> dict[str, str]:
        values = self.query()
        for name in ("text", "note", "summary", "subject", "what", "details", "name", "message"):
            values[name] = self.words
        values.update(
            value_answer=self.words,
            what_done=self.words,
            first_name=self.words,
            title=self.words,
            score="3",
            reason=self.words,
            next="/",
        )
        return values

    def body(self, schema: dict[str, Any], components: dict[str, Any]) -> Any:
        return self._value("", schema, components)

    def _value(self, name: str, schema: dict[str, Any], components: dict[str, Any]) -> Any:
        if "$ref" in schema:
            return self._value(name, components[schema["$ref"].rsplit("/", 1)[1]], components)
        for key in ("allOf", "anyOf", "oneOf"):
            if key in schema:
                options = [s for s in schema[key] if s.get("type") != "null"]
                return self._value(name, options[0], components) if options else None
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            return {
                key: self._value(key, sub, components)
                for key, sub in schema.get("properties", {}).items()
            }
        if kind == "array":
            return []
        if kind == "boolean":
            return True
        if kind == "integer":
            if schema.get("maximum", 2**31 - 1) >= 2**31 - 1:
                return self.id_value
            return schema.get("minimum", 1)
        if kind == "number":
            return 1
        if name in USER_FIELDS:
            return self.username
        if schema.get("format") == "date":
            return self.today
        if schema.get("format") == "date-time":
            return self.now
        return self.words[: schema.get("maxLength", 100)]


def send(
    client: Client,
    route: Route,
    path: str,
    method: str,
    sender: Sender,
    *,
    token: str = "",
    with_query: bool = False,
    components: dict[str, Any] | None = None,
) -> HttpResponse:
    if route.operation is not None:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        query = ""
        if with_query:
            names = [p["name"] for p in route.operation.get("parameters", []) if p["in"] == "query"]
            params = sender.query()
            picked = {
                n: (sender.username if n in USER_FIELDS else params[n])
                for n in names
                if n in params
            }
            query = "?" + "&".join(f"{k}={v}" for k, v in picked.items()) if picked else ""
        content = route.operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            body = sender.body(content["application/json"]["schema"], components or {})
            return client.generic(
                method, path + query, json.dumps(body), "application/json", **headers
            )
        return client.generic(method, path + query, **headers)
    if method == "GET":
        return client.get(path, sender.query() if with_query else None)
    return client.post(path, sender.post(), HTTP_HX_REQUEST="true")


def text_of(response: HttpResponse) -> str:
    """What the response shows: its body (streamed ones read whole; a PDF's text extracted)."""
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        data = response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        from pypdf import PdfReader

        return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8", "replace")
