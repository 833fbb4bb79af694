"""Shape mode: does a new answer keep the stored answer's shape and the contract, whatever its text?

``shape_differences(stored, new, raw)`` compares two normalised documents (``raw`` is the new one
before normalisation, for the contract checks) and returns ``Difference``s:

* the request exactly, the status exactly, the set of header names and the content type;
* object keys (missing/added), value types (integer and number are one type here; the schema
  check tells them apart where the contract does), the values the contract fixes (every ``enum``
  and ``const`` of the spec's schema for that answer) and the ``value`` rows of the rules table;
* arrays: the ``length`` rows of the rules table keep their length and are compared item by item;
  any other array is compared as the set of its item shapes (object items by keys, types and enum
  values; scalar items by type), so a longer text or plan is not a change;
* the new answer against the spec's JSON Schema for its operation, status and content type (types,
  numeric ranges, formats), the ``range`` rows, and every ``stratus`` object's invariants (D-STR-3);
* an event stream as a grammar: each event becomes a token (``chunk[role,content]+stratus``,
  ``content_block_delta:text_delta``, ...), runs of repeatable delta tokens collapse to ``tok+``,
  pings are dropped, chat choices are followed one by one; the token sequences must be equal, and
  each new event keeps the shape of the first stored event with its token.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from conformance._snapshot_diff import Difference, differences, short
from conformance._snapshot_rules import Rules, json_type
from conformance._spec import load_openapi_bundled, validator_for

__all__ = [
    "Grammar",
    "contract_components",
    "grammar",
    "grammar_difference",
    "shape_differences",
    "stratus_problems",
]

Path = tuple[str | int, ...]
_MAX_CONTRACT = 8


# -- the contract: which schema describes an answer, and where it fixes values ----------------------
@functools.cache
def _openapi() -> dict[str, Any]:
    return load_openapi_bundled()


def _pointer(ref: str) -> Any:
    node: Any = _openapi()
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


@functools.cache
def _routes() -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    out = []
    for template, ops in _openapi()["paths"].items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        out.append((re.compile(pattern), ops))
    return out


@functools.cache
def contract_components(method: str, path: str, status: int, streamed: bool) -> tuple[str | None, str | None]:
    """(body component, event component) the spec gives this answer; None where it says nothing."""
    route = path.partition("?")[0]
    op = next((ops.get(method.lower()) for rx, ops in _routes() if rx.fullmatch(route)), None)
    if not isinstance(op, dict):
        return None, None
    responses = op.get("responses") or {}
    resp = responses.get(str(status)) or responses.get(f"{status // 100}XX") or responses.get("default")
    if isinstance(resp, dict) and "$ref" in resp:
        resp = _pointer(resp["$ref"])
    content = (resp or {}).get("content") or {}
    if streamed:
        if "text/event-stream" not in content:
            return None, None
        return None, ("MessagesStreamEvent" if route.startswith("/v1/messages") else "ChatCompletionChunk")
    ref = ((content.get("application/json") or {}).get("schema") or {}).get("$ref", "")
    name = ref.removeprefix("#/components/schemas/")
    return (name if name and "/" not in name else None), None


@functools.cache
def _value_paths(component: str) -> frozenset[Path]:
    """Paths (``*`` any key, ``#`` any index) where the component's schema has an enum or a const."""
    found: set[Path] = set()

    def walk(node: Any, path: Path, refs: frozenset[str]) -> None:
        if not isinstance(node, dict) or len(path) > 16:
            return
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#") and ref not in refs:
            walk(_pointer(ref), path, refs | {ref})
        if "enum" in node or "const" in node:
            found.add(path)
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key) or []:
                walk(sub, path, refs)
        for key in ("then", "else"):
            walk(node.get(key), path, refs)
        for name, sub in (node.get("properties") or {}).items():
            walk(sub, (*path, name), refs)
        for sub in [node.get("additionalProperties"), *(node.get("patternProperties") or {}).values()]:
            walk(sub, (*path, "*"), refs)
        walk(node.get("items"), (*path, "#"), refs)
        for i, sub in enumerate(node.get("prefixItems") or []):
            walk(sub, (*path, str(i)), refs)

    walk(_pointer(f"#/components/schemas/{component}"), (), frozenset())
    return frozenset(found)


def _fixed_by_contract(component: str | None, path: Path) -> bool:
    if component is None:
        return False
    for pattern in _value_paths(component):
        if len(pattern) == len(path) and all(
            p == str(c) or (p == "*" and isinstance(c, str)) or (p == "#" and isinstance(c, int))
            for p, c in zip(pattern, path, strict=True)
        ):
            return True
    return False


def _leaves(err: Any) -> list[Any]:
    """The errors that explain ``err``: for a failed ``oneOf``/``anyOf``, those of the branch the
    instance meant (the one whose ``type``/``object`` discriminator it matches), recursively."""
    if not err.context:
        return [err]
    branches: dict[Any, list[Any]] = {}
    for sub in err.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    meant = [
        errs
        for errs in branches.values()
        if not any(
            e.validator in ("const", "enum") and list(e.relative_path) in (["type"], ["object"]) for e in errs
        )
    ]
    chosen = meant[0] if len(meant) == 1 else min(branches.values(), key=len)
    return [leaf for e in chosen for leaf in _leaves(e)]


def _contract_errors(component: str, instance: Any, at: Path) -> Iterator[Difference]:
    errors = [leaf for err in validator_for(component).iter_errors(instance) for leaf in _leaves(err)]
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    for err in errors[:_MAX_CONTRACT]:
        where = _dotted((*at, *err.absolute_path))
        yield Difference(path=where, kind="contract", before=f"{component}: {err.message[:240]}")


# -- stratus invariants (D-STR-3) ------------------------------------------------------------------
def stratus_problems(s: dict[str, Any]) -> list[str]:
    """What breaks D-STR-3 in one ``stratus`` object (empty when it holds)."""
    problems = []
    seq = s.get("action_sequence")
    if not isinstance(seq, list):
        return [] if seq is None and "steps_to_goal" not in s else [f"action_sequence={short(seq, 60)}"]
    n = len(seq)
    for key in ("predicted_state_changes", "confidence_labels"):
        if isinstance(s.get(key), list) and len(s[key]) != n:
            problems.append(f"len({key})={len(s[key])} != len(action_sequence)={n}")
    if s.get("steps_to_goal") != n:
        problems.append(f"steps_to_goal={short(s.get('steps_to_goal'), 40)} != len(action_sequence)={n}")
    brain = s.get("brain_signal")
    if isinstance(brain, dict) and seq:
        if brain.get("action_type") != seq[0]:
            problems.append(f"brain_signal.action_type={short(brain.get('action_type'), 40)} != {seq[0]!r}")
        if brain.get("plan_ahead") != seq[1:3]:
            problems.append(f"brain_signal.plan_ahead={short(brain.get('plan_ahead'), 60)} != {seq[1:3]!r}")
    if "confidence" in s and s["confidence"] != s.get("overall_confidence"):
        problems.append(
            f"confidence={s['confidence']!r} != overall_confidence={s.get('overall_confidence')!r}"
        )
    return problems


def _stratus_objects(doc: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    body = doc.get("body")
    if isinstance(body, dict) and isinstance(body.get("stratus"), dict):
        yield ("body", "stratus"), body["stratus"]
    for i, ev in enumerate(doc.get("events") or []):
        data = ev.get("data") if isinstance(ev, dict) else None
        if not isinstance(data, dict):
            continue
        if isinstance(data.get("stratus"), dict):
            yield ("events", i, "data", "stratus"), data["stratus"]
        message = data.get("message")
        if isinstance(message, dict) and isinstance(message.get("stratus"), dict):
            yield ("events", i, "data", "message", "stratus"), message["stratus"]


# -- event grammar ---------------------------------------------------------------------------------
_REPEATABLE = re.compile(r"content|tool_args|refusal|content_block_delta:.*|chunk")


@dataclass(frozen=True)
class Grammar:
    """An event stream as token sequences: the frame, and one sequence per chat choice."""

    frame: tuple[str, ...]
    choices: tuple[tuple[int, tuple[str, ...]], ...] = ()
    keys: tuple[str, ...] = field(default=(), compare=False)
    """Per event (pings and comments included, as ``""``), its shape-comparison key."""

    def text(self) -> str:
        parts = [" ".join(self.frame)]
        parts += [f"choice {i}: " + " ".join(seq) for i, seq in self.choices]
        return "; ".join(parts)

    def marked(self, stored: Grammar) -> str:
        """This grammar with what changed from ``stored`` marked: ``[-lost-]``, ``{+new+}``."""
        parts = [_marked(stored.frame, self.frame)]
        old, new = dict(stored.choices), dict(self.choices)
        parts += [
            f"choice {i}: " + _marked(old.get(i, ()), new.get(i, ())) for i in sorted(set(old) | set(new))
        ]
        return "; ".join(parts)


def _marked(a: tuple[str, ...], b: tuple[str, ...]) -> str:
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out += a[i1:i2]
            continue
        out += [f"[-{t}-]" for t in a[i1:i2]]
        out += [f"{{+{t}+}}" for t in b[j1:j2]]
    return " ".join(out)


def _collapse(tokens: list[str]) -> tuple[str, ...]:
    """A run of one repeatable token (however long, even one) becomes ``tok+``."""
    out: list[str] = []
    for tok in tokens:
        if not _REPEATABLE.fullmatch(tok):
            out.append(tok)
        elif not out or out[-1] != tok + "+":
            out.append(tok + "+")
    return tuple(out)


def _choice_features(c: dict[str, Any]) -> list[str]:
    delta: dict[str, Any] = c["delta"] if isinstance(c.get("delta"), dict) else {}
    feats = [k for k in ("role", "content", "refusal") if delta.get(k) is not None]
    for tc in delta.get("tool_calls") or []:
        feats.append("tool_call" if isinstance(tc, dict) and tc.get("id") else "tool_args")
    if c.get("finish_reason") is not None:
        feats.append(f"finish={c['finish_reason']}")
    return list(dict.fromkeys(feats)) or ["empty"]


def grammar(events: list[Any], anthropic: bool) -> Grammar:
    frame: list[str] = []
    per_choice: dict[int, list[str]] = {}
    keys: list[str] = []
    for ev in events:
        name = ev.get("event") if isinstance(ev, dict) else None
        data = ev.get("data") if isinstance(ev, dict) else None
        kind = data.get("type") if isinstance(data, dict) else None
        if (name or kind) == "ping":
            keys.append("")
            continue
        if data == "[DONE]":
            token = "[DONE]"
        elif isinstance(data, dict) and "error" in data and not anthropic:
            token = "error"
        elif isinstance(data, dict) and data.get("object") == "chat.completion.chunk":
            features = []
            for c in [c for c in data.get("choices") or [] if isinstance(c, dict)]:
                feats = _choice_features(c)
                index: int = c["index"] if isinstance(c.get("index"), int) else 0
                per_choice.setdefault(index, []).extend(feats if feats != ["empty"] else [])
                features.append(f"{index}:" + ",".join(feats))
            marks = [m for m in ("usage", "stratus") if data.get(m) is not None]
            token = "+".join(["chunk", *marks])
            keys.append(f"chunk[{';'.join(features)}]" + "".join(f"+{m}" for m in marks))
            frame.append(token)
            continue
        else:
            token = str(name or kind or "message")
            if isinstance(data, dict):
                sub = data.get("content_block") if token == "content_block_start" else data.get("delta")
                if token.startswith("content_block_") and isinstance(sub, dict) and sub.get("type"):
                    token += f":{sub['type']}"
                holder = data.get("message") if token == "message_start" else data
                if isinstance(holder, dict) and holder.get("stratus") is not None:
                    token += "+stratus"
            if name and kind and name != kind:
                token += f"(type={kind})"
        frame.append(token)
        keys.append(token)
    per_index = tuple((i, _collapse(seq)) for i, seq in sorted(per_choice.items()))
    return Grammar(_collapse(frame), per_index, tuple(keys))


# -- the comparison --------------------------------------------------------------------------------
def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)


def _kind(value: Any) -> str:
    kind = json_type(value)
    return "number" if kind == "integer" else kind


@dataclass
class _Walk:
    rules: Rules
    component: str | None
    offset: int
    """How many leading path segments lie outside the component (``body`` = 1, ``events.i.data`` = 3)."""
    out: list[Difference]

    def fixed(self, path: Path) -> bool:
        rule = self.rules.shape_rule(_dotted(path))
        return (rule is not None and rule.rule == "value") or _fixed_by_contract(
            self.component, path[self.offset :]
        )

    def signature(self, value: Any, path: Path, scalar_item: bool = False) -> Any:
        rule = self.rules.shape_rule(_dotted(path))
        if rule is not None and rule.rule == "ignore":
            return "*"
        if isinstance(value, dict):
            return {k: self.signature(v, (*path, k)) for k, v in sorted(value.items())}
        if isinstance(value, list):
            if rule is not None and rule.rule == "length":
                return [self.signature(v, (*path, i)) for i, v in enumerate(value)]
            return {
                "[]": sorted({short(self.signature(v, (*path, i), True), 10**6) for i, v in enumerate(value)})
            }
        if not scalar_item and self.fixed(path):
            return {"=": value}
        return _kind(value)

    def walk(self, a: Any, b: Any, path: Path) -> None:
        where = _dotted(path)
        rule = self.rules.shape_rule(where)
        if rule is not None and rule.rule == "ignore":
            return
        if not isinstance(a, dict | list) and self.fixed(path):
            if json_type(a) != json_type(b) or a != b:
                self.out.append(Difference(path=where, kind="changed", before=short(a), after=short(b)))
            return
        if _kind(a) != _kind(b):
            self.out.append(Difference(path=where, kind="type", before=_kind(a), after=_kind(b)))
            return
        if rule is not None and rule.rule == "range" and isinstance(b, int | float):
            low, high = rule.min, rule.max
            if (low is not None and b < low) or (high is not None and b > high):
                self.out.append(
                    Difference(path=where, kind="range", before=f"[{low}, {high}]", after=short(b))
                )
        if isinstance(a, dict):
            for k in sorted(set(a) | set(b), key=str):
                if k not in b:
                    self.out.append(Difference(path=f"{where}.{k}", kind="removed", before=short(a[k])))
                elif k not in a:
                    self.out.append(Difference(path=f"{where}.{k}", kind="added", after=short(b[k])))
                else:
                    self.walk(a[k], b[k], (*path, k))
        elif isinstance(a, list):
            self.arrays(a, b, path, fixed_length=rule is not None and rule.rule == "length")

    def arrays(self, a: list[Any], b: list[Any], path: Path, *, fixed_length: bool) -> None:
        where = _dotted(path)
        if fixed_length:
            if len(a) != len(b):
                self.out.append(Difference(path=where, kind="length", before=str(len(a)), after=str(len(b))))
            for i, (x, y) in enumerate(zip(a, b, strict=False)):
                self.walk(x, y, (*path, i))
            return
        sig_a = {short(self.signature(v, (*path, i), True), 10**6): i for i, v in enumerate(a)}
        sig_b = {short(self.signature(v, (*path, i), True), 10**6): i for i, v in enumerate(b)}
        if set(sig_a) == set(sig_b):
            return
        if len(sig_a) == len(sig_b) == 1 and isinstance(a[0], dict):
            self.walk(a[next(iter(sig_a.values()))], b[next(iter(sig_b.values()))], (*path, 0))
            return
        gone = [short(s, 200) for s in sorted(set(sig_a) - set(sig_b))]
        new = [short(s, 200) for s in sorted(set(sig_b) - set(sig_a))]
        self.out.append(
            Difference(
                path=where,
                kind="changed",
                before="items shaped " + (" | ".join(gone) or "(none other)"),
                after="items shaped " + (" | ".join(new) or "(none other)"),
            )
        )


def _streams(
    stored: dict[str, Any],
    new: dict[str, Any],
    raw: dict[str, Any],
    rules: Rules,
    component: str | None,
    out: list[Difference],
) -> None:
    anthropic = component == "MessagesStreamEvent"
    old_events, new_events = stored.get("events") or [], new.get("events") or []
    ga, gb = grammar(old_events, anthropic), grammar(new_events, anthropic)
    if ga != gb:
        out.append(Difference(path="events", kind="grammar", before=ga.text(), after=gb.marked(ga)))
    first: dict[str, int] = {}
    for i, key in enumerate(ga.keys):
        if key and key not in first:
            first[key] = i
    reported: set[tuple[str, str]] = set()
    for j, key in enumerate(gb.keys):
        if key not in first:
            continue
        found: list[Difference] = []
        old, now = old_events[first[key]], new_events[j]
        _Walk(rules, component, 3, found).walk(old.get("data"), now.get("data"), ("events", j, "data"))
        for d in found:
            generic = (re.sub(r"^events\.\d+", "events.*", d.path), d.kind)
            if generic not in reported:
                reported.add(generic)
                out.append(d)
    if component:
        for i, ev in enumerate(raw.get("events") or []):
            data = ev.get("data") if isinstance(ev, dict) else None
            if isinstance(data, dict):
                schema = "OpenAIErrorResponse" if "error" in data and not anthropic else component
                out += _contract_errors(schema, data, ("events", i, "data"))


def grammar_difference(stored: dict[str, Any], new: dict[str, Any]) -> Difference | None:
    """The grammar change between two streamed documents (None when the grammar is the same or
    either is not a stream): exact mode leads its list of differences with it."""
    if not (isinstance(stored.get("events"), list) and isinstance(new.get("events"), list)):
        return None
    anthropic = str((new.get("request") or {}).get("path", "")).startswith("/v1/messages")
    ga, gb = grammar(stored["events"], anthropic), grammar(new["events"], anthropic)
    if ga == gb:
        return None
    return Difference(path="events", kind="grammar", before=ga.text(), after=gb.marked(ga))


def _frame(stored: dict[str, Any], new: dict[str, Any]) -> list[Difference]:
    """The request (exactly), the status, the header names and the content type."""
    out = [
        Difference(path=f"request.{d.path}".rstrip("."), kind=d.kind, before=d.before, after=d.after)
        for d in differences(stored.get("request"), new.get("request"))
    ]
    if stored.get("status") != new.get("status"):
        out.append(
            Difference(
                path="status",
                kind="changed",
                before=short(stored.get("status")),
                after=short(new.get("status")),
            )
        )
    old_h, new_h = stored.get("headers") or {}, new.get("headers") or {}
    out += [
        Difference(path=f"headers.{h}", kind="removed", before=short(old_h[h]))
        for h in sorted(set(old_h) - set(new_h))
    ]
    out += [
        Difference(path=f"headers.{h}", kind="added", after=short(new_h[h]))
        for h in sorted(set(new_h) - set(old_h))
    ]
    ctype_a, ctype_b = old_h.get("content-type"), new_h.get("content-type")
    if ctype_a is not None and ctype_b is not None and ctype_a != ctype_b:
        out.append(
            Difference(
                path="headers.content-type", kind="changed", before=short(ctype_a), after=short(ctype_b)
            )
        )
    return out


def shape_differences(
    stored: dict[str, Any], new: dict[str, Any], raw: dict[str, Any], rules: Rules
) -> list[Difference]:
    """Shape-mode differences between a stored document and a new one (see the module docstring)."""
    out = _frame(stored, new)
    streamed = "events" in new
    if ("events" in stored) != streamed:
        what = {True: "an event stream", False: "a body"}
        out.append(
            Difference(
                path="events" if streamed else "body",
                kind="type",
                before=what["events" in stored],
                after=what[streamed],
            )
        )
        return out
    request = new.get("request") or {}
    body_component, event_component = contract_components(
        str(request.get("method", "")), str(request.get("path", "")), int(new.get("status") or 0), streamed
    )
    if streamed:
        _streams(stored, new, raw, rules, event_component, out)
    else:
        _Walk(rules, body_component, 1, out).walk(stored.get("body"), new.get("body"), ("body",))
        if body_component and raw.get("body") is not None:
            out += _contract_errors(body_component, raw.get("body"), ("body",))
    for path, s in _stratus_objects(raw):
        out += [Difference(path=_dotted(path), kind="invariant", before=p) for p in stratus_problems(s)]
    return out
