"""Request parameters that carry a JSON Schema, checked before anything is planned (D-SURF-3).

A malformed schema is the client's mistake and gets the dialect's 400 naming the parameter, as the
official APIs answer it: OpenAI `Invalid schema for function 'f': <reason>` (param
`tools[0].function.parameters`, code `invalid_function_parameters`) or `Invalid schema for
response_format 'name': <reason>`; Anthropic `tools.0.custom.input_schema: JSON schema is invalid. It
must match JSON Schema draft 2020-12 ...`. "Valid" means valid under the 2020-12 meta-schema
(jsonschema's `check_schema`) with an object at the root where the API requires one.

`check_schema_param` is the hook for one schema; a later round that generates instances (structured
outputs) calls it first, and raises its own 400 for a schema it cannot satisfy.
"""

from __future__ import annotations

from typing import Any, Literal

import jsonschema
import msgspec

from reference_server._errors import ApiError
from reference_server._memo import memo
from reference_server._wire._chat_request import (
    ChatCompletionRequest,
    ResponseFormatJSONSchema,
    Tool,
)
from reference_server._wire._messages_request import CountTokensRequest, MessagesRequest
from reference_server._wire._messages_tools import AnthropicTool

__all__ = ["SchemaDialect", "check_chat_schemas", "check_messages_schemas", "check_schema_param"]

SchemaDialect = Literal["openai-function", "openai-response-format", "anthropic"]

_DRAFT = "https://json-schema.org/draft/2020-12"


def _problem(schema: Any) -> str | None:
    """Why `schema` is not a usable object schema, or None."""
    if not isinstance(schema, dict):
        return f"{_shown(schema)} is not of type 'object', 'boolean'"
    return _meta_problem(msgspec.json.encode(schema))


@memo(entries=1024, max_bytes=4 * 2**20)
def _meta_problem(encoded: bytes) -> str | None:
    """`_problem` of a decoded object schema, cached by (the digest of) its encoding: clients resend
    the same tools; bounded by bytes too, as every cache keyed on request text (`_memo`)."""
    schema = msgspec.json.decode(encoded)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as error:
        where = "".join(f"[{p!r}]" for p in error.absolute_path)
        return f"{error.message}" + (f" (at {where})" if where else "")
    root = schema.get("type")
    if root is not None and root != "object":
        return f"schema must be a JSON Schema of 'type: \"object\"', got 'type: {msgspec.json.encode(root).decode()}'"
    return None


def _shown(value: Any) -> str:
    try:
        return msgspec.json.encode(value).decode()
    except (TypeError, msgspec.EncodeError):
        return repr(value)


def check_schema_param(schema: Any, *, param: str, dialect: SchemaDialect, name: str = "") -> None:
    """Raise the dialect's 400 naming `param` when `schema` is not a valid object JSON Schema."""
    problem = _problem(schema)
    if problem is None:
        return
    if dialect == "anthropic":
        raise ApiError(
            400,
            f"{param}: JSON schema is invalid. It must match JSON Schema draft 2020-12 ({_DRAFT}): {problem}.",
            param=param,
        )
    if dialect == "openai-function":
        raise ApiError(
            400,
            f"Invalid schema for function '{name}': {problem}.",
            param=param,
            code="invalid_function_parameters",
        )
    raise ApiError(
        400, f"Invalid schema for response_format '{name}': {problem}.", param=param, code="invalid_value"
    )


def check_chat_schemas(req: ChatCompletionRequest) -> None:
    """`tools[].function.parameters`, `functions[].parameters`, `response_format.json_schema.schema`."""
    for i, tool in enumerate(req.tools or []):
        if isinstance(tool, Tool) and not isinstance(tool.function.parameters, msgspec.UnsetType):
            check_schema_param(
                tool.function.parameters,
                param=f"tools[{i}].function.parameters",
                dialect="openai-function",
                name=tool.function.name,
            )
    for i, function in enumerate(req.functions or []):
        if not isinstance(function.parameters, msgspec.UnsetType):
            check_schema_param(
                function.parameters,
                param=f"functions[{i}].parameters",
                dialect="openai-function",
                name=function.name,
            )
    fmt = req.response_format
    if isinstance(fmt, ResponseFormatJSONSchema) and not isinstance(
        fmt.json_schema.schema, msgspec.UnsetType
    ):
        check_schema_param(
            fmt.json_schema.schema,
            param="response_format.json_schema.schema",
            dialect="openai-response-format",
            name=fmt.json_schema.name,
        )


def check_messages_schemas(req: MessagesRequest | CountTokensRequest) -> None:
    """`tools[].input_schema` of custom tools and `output_config.format.schema`."""
    for i, tool in enumerate(req.tools or []):
        if isinstance(tool, AnthropicTool):
            check_schema_param(tool.input_schema, param=f"tools.{i}.custom.input_schema", dialect="anthropic")
    config = req.output_config
    fmt = None if isinstance(config, msgspec.UnsetType) else config.format
    if fmt is not None and not isinstance(fmt, msgspec.UnsetType):
        check_schema_param(fmt.schema, param="output_config.format.schema", dialect="anthropic")
