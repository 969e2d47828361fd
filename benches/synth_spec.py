#!/usr/bin/env python3
"""Builds a Microsoft-Graph-sized benchmark spec: one valid OpenAPI 3.0.3 JSON document with
more than 10,000 operations, merged deterministically from the real OpenAPI 3.0.x JSON specs in
the shared specs folder (Graph has 11,422 operations in 20 MB of JSON).

    python3 benches/synth_spec.py [--specs DIR] [--out FILE] [--target-ops N]

Defaults: ../shared/specs (beside the repository), target/bench/synth-graph.json, 11,400
operations. Every OpenAPI 3.0.x JSON document of the folder is one "service" of the merged API;
while the operations are fewer than --target-ops, further copies of the largest services are
added under their own slug (`autotask-v2`, `github-v2`, ...), largest first, until the target is
reached (the last copy may overshoot it).

Each service gets a slug (`github`, `autotask`, `compute`, ...) and, inside the merged document:

- its paths are prefixed `/<slug>`, and `$ref`s and `operationRef`s into `#/paths/...` follow;
- its operationIds become `<slug>_<id>`, reduced to `[A-Za-z0-9_-]` and kept unique across the
  document (operations without one stay without one); links' `operationId`s follow;
- its tags become `<slug>: <tag>` (`<slug>` for an operation without tags), and so do the top-level
  `tags` entries;
- every component of every kind is renamed `<slug>_<name>`; every `$ref`, discriminator mapping
  and security requirement (top-level and per-operation) is rewritten to match. Discriminators
  whose mapping relied on implicit schema names get those names mapped explicitly, so the
  discriminator values keep their meaning;
- its top-level `security` is pushed down onto each of its operations without their own, so the
  merged document has none at the top level. Its top-level `servers` are dropped (the merged
  document has one, https://api.example.com, and the slug prefix tells the services apart);
  path-item and operation `servers`, `callbacks`, links and extensions are kept.

Same inputs give byte-identical output: sources in sorted file-name order, no timestamps,
json.dumps with compact separators and ensure_ascii=False. The result is checked before it is
written: every local `$ref` resolves, operationIds are unique, security requirements and links
name what exists. The sources' own defects are kept as they are (they exercise the generator's
repairs, as Graph's would): openapi-spec-validator reports exactly the findings it reports for
the sources themselves (clicksend: a `?convert={convert}` path template; xero: string defaults
on booleans; ix-api: a duplicate enum value). Standard library only.
"""

import argparse
import copy
import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote

REPO = Path(__file__).resolve().parent.parent
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
COMPONENT_KINDS = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
)
COMPONENT_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
GENERIC_SERVICE_NAMES = {"api", "openapi", "swagger", "rest"}


def slug_of(file_name):
    """`github.com__api.github.com.json` → `github`, `googleapis.com__compute.json` → `compute`,
    `autotask.net.json` → `autotask`: the service part after `__` unless it is generic, else the
    first label of the domain; lower case, `[a-z0-9-]`."""
    base = file_name[: -len(".json")] if file_name.endswith(".json") else file_name
    domain, _, service = base.partition("__")
    candidate = ""
    if service:
        first = service.split(".")[0].lower()
        if first not in GENERIC_SERVICE_NAMES and not re.match(r"^(api|openapi)[_-]", first):
            candidate = first
    if not candidate:
        candidate = domain.split(".")[0].lower()
    candidate = re.sub(r"[^a-z0-9-]+", "-", candidate.replace("_", "-")).strip("-")
    return candidate or "api"


def sanitize_operation_id(text):
    text = re.sub(r"[^A-Za-z0-9_-]+", "_", text)
    text = re.sub(r"_+", "_", text)
    return text.strip("_") or "op"


def sanitize_component_name(text):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)


def unique(candidate, taken, separator="_"):
    name, n = candidate, 2
    while name in taken:
        name = f"{candidate}{separator}{n}"
        n += 1
    taken.add(name)
    return name


def pointer_escape(segment):
    return segment.replace("~", "~0").replace("/", "~1")


def pointer_unescape(segment):
    return segment.replace("~1", "/").replace("~0", "~")


def path_items(paths):
    """(template, path item) for each path item that is not a `$ref`."""
    for template, item in paths.items():
        if isinstance(item, dict) and "$ref" not in item:
            yield template, item


def operations(item):
    for method in METHODS:
        op = item.get(method)
        if isinstance(op, dict):
            yield method, op


def resolve_local(doc, ref):
    """The value a local `$ref` points at, or raises KeyError/IndexError/ValueError."""
    if not ref.startswith("#"):
        raise ValueError(f"not a local reference: {ref}")
    node = doc
    fragment = ref[1:]
    if fragment in ("", "/"):
        return doc
    for raw in fragment[1:].split("/"):
        segment = pointer_unescape(unquote(raw))
        if isinstance(node, list):
            node = node[int(segment)]
        else:
            node = node[segment]
    return node


def count_operations(doc):
    """Operations in the document's paths, following local path-item `$ref`s (as generators do)."""
    total = 0
    for item in doc.get("paths", {}).values():
        seen = set()
        while isinstance(item, dict) and isinstance(item.get("$ref"), str) and id(item) not in seen:
            seen.add(id(item))
            try:
                item = resolve_local(doc, item["$ref"])
            except (KeyError, IndexError, ValueError):
                item = None
        if isinstance(item, dict):
            total += sum(1 for _ in operations(item))
    return total


class Service:
    """One source document turned into one area of the merged document."""

    def __init__(self, file_name, slug, doc, taken_op_ids):
        self.file_name = file_name
        self.slug = slug
        self.doc = doc
        self.taken_op_ids = taken_op_ids
        self.notes = []
        components = doc.get("components") or {}
        self.names = {}
        for kind in COMPONENT_KINDS:
            taken = set()
            self.names[kind] = {
                name: unique(sanitize_component_name(f"{slug}_{name}"), taken)
                for name in (components.get(kind) or {})
            }
        for kind in components:
            if kind not in COMPONENT_KINDS:
                self.notes.append(f"dropped components/{kind}")
        self.op_ids = {}
        self.operation_count = count_operations(doc)

    # --- names -------------------------------------------------------------------------------

    def component_name(self, kind, name):
        mapped = self.names.get(kind, {}).get(name)
        if mapped is None:
            self.notes.append(f"reference to missing component {kind}/{name}")
            mapped = sanitize_component_name(f"{self.slug}_{name}")
        return mapped

    def tag(self, name):
        return f"{self.slug}: {name}"

    def rewrite_ref(self, ref):
        """A `$ref` (or `operationRef`) string of the source, as the merged document spells it."""
        if ref.startswith("#/components/"):
            parts = ref[len("#/components/"):].split("/")
            if len(parts) >= 2 and parts[0] in COMPONENT_KINDS:
                name = pointer_unescape(unquote(parts[1]))
                parts[1] = pointer_escape(self.component_name(parts[0], name))
                return "#/components/" + "/".join(parts)
            self.notes.append(f"unrecognised reference {ref}")
            return ref
        if ref.startswith("#/paths/"):
            rest = ref[len("#/paths/"):]
            if not rest.startswith("~1"):
                # A path template that does not start with '/' gets one when prefixed.
                rest = "~1" + rest
            return f"#/paths/~1{self.slug}{rest}"
        if not ref.startswith("#"):
            self.notes.append(f"external reference kept as it is: {ref}")
        return ref

    # --- passes ------------------------------------------------------------------------------

    def callback_operations(self):
        """Operations inside callbacks (components and inline, recursively), once each."""
        found, seen = [], set()

        def visit_callbacks(callbacks):
            if not isinstance(callbacks, dict):
                return
            for callback in callbacks.values():
                if not isinstance(callback, dict) or "$ref" in callback:
                    continue
                for item in callback.values():
                    if isinstance(item, dict) and "$ref" not in item:
                        visit_item(item)

        def visit_item(item):
            for _, op in operations(item):
                if id(op) in seen:
                    continue
                seen.add(id(op))
                found.append(op)
                visit_callbacks(op.get("callbacks"))

        for _, item in path_items(self.doc.get("paths") or {}):
            for _, op in operations(item):
                visit_callbacks(op.get("callbacks"))
        visit_callbacks((self.doc.get("components") or {}).get("callbacks"))
        return found

    def main_operations(self):
        return [op for _, item in path_items(self.doc.get("paths") or {}) for _, op in operations(item)]

    def name_operations(self, ops):
        for op in ops:
            old = op.get("operationId")
            if not isinstance(old, str):
                continue
            new = unique(sanitize_operation_id(f"{self.slug}_{old}"), self.taken_op_ids)
            if old in self.op_ids:
                self.notes.append(f"duplicate operationId {old}")
            else:
                self.op_ids[old] = new
            op["operationId"] = new

    def rewrite_security(self, requirements):
        return [
            {self.component_name("securitySchemes", name): scopes for name, scopes in requirement.items()}
            if isinstance(requirement, dict)
            else requirement
            for requirement in requirements
        ]

    def rewrite_operation(self, op, default_security, callback=False):
        tags = op.get("tags")
        if isinstance(tags, list) and tags:
            op["tags"] = [self.tag(t) for t in tags]
        elif not callback:
            op["tags"] = [self.slug]
        if isinstance(op.get("security"), list):
            op["security"] = self.rewrite_security(op["security"])
        elif default_security:
            op["security"] = copy.deepcopy(default_security)
        self.rewrite_responses_links(op.get("responses"))

    def rewrite_responses_links(self, responses):
        if not isinstance(responses, dict):
            return
        for response in responses.values():
            if isinstance(response, dict) and "$ref" not in response:
                self.rewrite_links(response.get("links"))

    def rewrite_links(self, links):
        if not isinstance(links, dict):
            return
        for link in links.values():
            if not isinstance(link, dict) or "$ref" in link:
                continue
            if isinstance(link.get("operationId"), str):
                old = link["operationId"]
                if old in self.op_ids:
                    link["operationId"] = self.op_ids[old]
                else:
                    self.notes.append(f"link to unknown operationId {old}")
            if isinstance(link.get("operationRef"), str):
                link["operationRef"] = self.rewrite_ref(link["operationRef"])

    def implicit_allof_children(self):
        """For each component schema with a discriminator and no oneOf/anyOf: the component
        schemas that name it in their allOf (their names are its implicit mapping)."""
        schemas = (self.doc.get("components") or {}).get("schemas") or {}
        parents = {
            name
            for name, schema in schemas.items()
            if isinstance(schema, dict)
            and isinstance(schema.get("discriminator"), dict)
            and "oneOf" not in schema
            and "anyOf" not in schema
        }
        children = {name: [] for name in parents}
        if not parents:
            return children
        for name, schema in schemas.items():
            if not isinstance(schema, dict) or not isinstance(schema.get("allOf"), list):
                continue
            for part in schema["allOf"]:
                ref = part.get("$ref") if isinstance(part, dict) else None
                if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                    parent = pointer_unescape(unquote(ref[len("#/components/schemas/"):]))
                    if parent in parents and parent != name:
                        children[parent].append(name)
        return children

    def rewrite_discriminator(self, schema, implicit_names):
        discriminator = schema["discriminator"]
        mapping = discriminator.get("mapping")
        new_mapping = {}
        if isinstance(mapping, dict):
            for value, target in mapping.items():
                if isinstance(target, str) and ("/" in target or target.startswith("#")):
                    new_mapping[value] = self.rewrite_ref(target)
                elif isinstance(target, str):
                    # A bare schema name.
                    new_mapping[value] = self.component_name("schemas", target)
                else:
                    new_mapping[value] = target
        targets = set(new_mapping.values())
        for name in implicit_names:
            new_ref = "#/components/schemas/" + pointer_escape(self.component_name("schemas", name))
            if name not in new_mapping and new_ref not in targets:
                new_mapping[name] = new_ref
                targets.add(new_ref)
        if new_mapping or isinstance(mapping, dict):
            discriminator["mapping"] = new_mapping

    def implicit_names(self, schema):
        """The component schema names a discriminator's oneOf/anyOf refs imply."""
        names = []
        for key in ("oneOf", "anyOf"):
            for part in schema.get(key) or []:
                ref = part.get("$ref") if isinstance(part, dict) else None
                if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                    rest = ref[len("#/components/schemas/"):]
                    if "/" not in rest:
                        names.append(pointer_unescape(unquote(rest)))
        return names

    def rewrite_refs(self, root, allof_children=None, component=None):
        """Every `$ref` string below root, and discriminator mappings on the way (each before
        the oneOf/anyOf refs it relies on are rewritten). `component` names root when it is a
        component schema, whose discriminator also implies the names of its allOf children."""
        stack = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str):
                    node["$ref"] = self.rewrite_ref(ref)
                disc = node.get("discriminator")
                if isinstance(disc, dict) and isinstance(disc.get("propertyName"), str):
                    implicit = self.implicit_names(node)
                    if node is root and component is not None:
                        implicit.extend((allof_children or {}).get(component, []))
                    self.rewrite_discriminator(node, implicit)
                stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
            elif isinstance(node, list):
                stack.extend(v for v in node if isinstance(v, (dict, list)))

    def build(self):
        """Rewrites the source in place; returns (paths, components by kind, tags)."""
        doc = self.doc
        main_ops = self.main_operations()
        callback_ops = self.callback_operations()
        self.name_operations(main_ops + callback_ops)

        default_security = None
        if isinstance(doc.get("security"), list) and doc["security"]:
            default_security = self.rewrite_security(doc["security"])
        for op in main_ops:
            self.rewrite_operation(op, default_security)
        for op in callback_ops:
            # Callbacks are requests the service makes: no default security, no added tag.
            self.rewrite_operation(op, None, callback=True)

        components = doc.get("components") or {}
        for response in (components.get("responses") or {}).values():
            if isinstance(response, dict) and "$ref" not in response:
                self.rewrite_links(response.get("links"))
        self.rewrite_links(components.get("links"))

        allof_children = self.implicit_allof_children()
        schemas = components.get("schemas") or {}
        for name, schema in schemas.items():
            self.rewrite_refs(schema, allof_children, component=name)
        for kind in COMPONENT_KINDS:
            if kind != "schemas":
                self.rewrite_refs(components.get(kind) or {})
        paths = doc.get("paths") or {}
        self.rewrite_refs(paths)

        new_paths = {}
        for template, item in paths.items():
            if not template.startswith("/"):
                template = "/" + template
            new_paths[f"/{self.slug}{template}"] = item

        new_components = {}
        for kind in COMPONENT_KINDS:
            entries = components.get(kind) or {}
            new_components[kind] = {self.names[kind][name]: value for name, value in entries.items()}

        tags, seen = [], set()
        for entry in doc.get("tags") or []:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                entry = dict(entry, name=self.tag(entry["name"]))
                if entry["name"] not in seen:
                    seen.add(entry["name"])
                    tags.append(entry)
        if any(op.get("tags") == [self.slug] for op in main_ops) and self.slug not in seen:
            title = (doc.get("info") or {}).get("title") or self.file_name
            tags.append({"name": self.slug, "description": f"{title} (operations without a tag)"})
        return new_paths, new_components, tags


def check(doc):
    """Problems a strict OpenAPI 3.0 tool would report; empty when the document is sound."""
    problems = []
    components = doc.get("components", {})
    for kind, entries in components.items():
        for name in entries:
            if not COMPONENT_NAME.match(name):
                problems.append(f"component name {kind}/{name} does not match {COMPONENT_NAME.pattern}")
    schemes = components.get("securitySchemes", {})
    op_ids = {}
    refs = []

    def walk(node):
        stack = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, dict):
                if isinstance(n.get("$ref"), str):
                    refs.append(n["$ref"])
                stack.extend(v for v in n.values() if isinstance(v, (dict, list)))
            elif isinstance(n, list):
                stack.extend(v for v in n if isinstance(v, (dict, list)))

    walk(doc.get("paths", {}))
    walk(components)
    for ref in set(refs):
        if not ref.startswith("#"):
            problems.append(f"external reference {ref}")
            continue
        try:
            resolve_local(doc, ref)
        except (KeyError, IndexError, ValueError, TypeError):
            problems.append(f"unresolved reference {ref}")

    def all_ops():
        stack = [item for item in doc.get("paths", {}).values()]
        stack.extend(
            item
            for callback in components.get("callbacks", {}).values()
            if isinstance(callback, dict)
            for item in callback.values()
        )
        seen = set()
        while stack:
            item = stack.pop()
            if not isinstance(item, dict) or "$ref" in item:
                continue
            for method, op in operations(item):
                if id(op) in seen:
                    continue
                seen.add(id(op))
                yield op
                for callback in (op.get("callbacks") or {}).values():
                    if isinstance(callback, dict) and "$ref" not in callback:
                        stack.extend(callback.values())

    for op in all_ops():
        op_id = op.get("operationId")
        if op_id is not None:
            if op_id in op_ids:
                problems.append(f"duplicate operationId {op_id}")
            op_ids[op_id] = op
        for requirement in op.get("security") or []:
            for name in requirement:
                if name not in schemes:
                    problems.append(f"security requirement names unknown scheme {name}")

    link_objects = []
    for op in all_ops():
        for response in (op.get("responses") or {}).values():
            if isinstance(response, dict):
                link_objects.extend((response.get("links") or {}).values())
    for response in components.get("responses", {}).values():
        link_objects.extend((response.get("links") or {}).values())
    link_objects.extend(components.get("links", {}).values())
    for link in link_objects:
        if isinstance(link, dict) and "operationId" in link and link["operationId"] not in op_ids:
            problems.append(f"link to unknown operationId {link['operationId']}")

    tag_names = [t["name"] for t in doc.get("tags", [])]
    if len(tag_names) != len(set(tag_names)):
        problems.append("duplicate top-level tag names")
    if "security" in doc:
        problems.append("top-level security present")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--specs", default=str(REPO.parent / "shared" / "specs"))
    parser.add_argument("--out", default=str(REPO / "target" / "bench" / "synth-graph.json"))
    parser.add_argument("--target-ops", type=int, default=11_400)
    args = parser.parse_args()

    specs = Path(args.specs)
    sources = []  # (file name, slug, text, operations, info)
    slugs = set()
    for path in sorted(specs.glob("*.json"), key=lambda p: p.name):
        text = path.read_text(encoding="utf-8")
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as error:
            print(f"skipping {path.name}: not JSON ({error})", file=sys.stderr)
            continue
        version = doc.get("openapi") if isinstance(doc, dict) else None
        if not (isinstance(version, str) and re.match(r"^3\.0\.\d+$", version)):
            continue
        slug = unique(slug_of(path.name), slugs, "-")
        sources.append((path.name, slug, text, count_operations(doc), doc.get("info") or {}))
    if not sources:
        sys.exit(f"no OpenAPI 3.0.x JSON documents in {specs}")

    plan = [(name, slug, text, ops, info) for name, slug, text, ops, info in sources]
    total = sum(s[3] for s in plan)
    by_size = sorted(sources, key=lambda s: (-s[3], s[0]))
    round_no = 2
    while total < args.target_ops and by_size[0][3] > 0:
        for name, slug, text, ops, info in by_size:
            if total >= args.target_ops:
                break
            if ops == 0:
                continue
            plan.append((name, unique(f"{slug}-v{round_no}", slugs, "-"), text, ops, info))
            total += ops
        round_no += 1

    taken_op_ids = set()
    merged_paths = {}
    merged_components = {kind: {} for kind in COMPONENT_KINDS}
    merged_tags = []
    descriptions = []
    notes = []
    for name, slug, text, _, info in plan:
        service = Service(name, slug, json.loads(text), taken_op_ids)
        paths, components, tags = service.build()
        for template, item in paths.items():
            if template in merged_paths:
                sys.exit(f"path {template} from {name} clashes with an earlier service")
            merged_paths[template] = item
        for kind, entries in components.items():
            for component, value in entries.items():
                if component in merged_components[kind]:
                    sys.exit(f"component {kind}/{component} from {name} clashes with an earlier service")
                merged_components[kind][component] = value
        merged_tags.extend(tags)
        title = info.get("title") or name
        version = info.get("version")
        label = f"{title} {version}" if version else title
        descriptions.append(
            f"- `/{slug}`: {label} ({name}, {service.operation_count:,} operations)"
        )
        notes.extend(f"{slug}: {note}" for note in sorted(set(service.notes)))

    doc = {
        "openapi": "3.0.3",
        "info": {
            "title": f"Synthetic merged API ({total} operations)",
            "description": (
                "A benchmark document the size of Microsoft Graph, merged by benches/synth_spec.py "
                f"from {len(sources)} OpenAPI 3.0 documents ({len(plan)} services, copies named "
                "`<slug>-vN`). Each service's paths are prefixed with its slug and its components, "
                "operationIds and tags are prefixed likewise.\n\n" + "\n".join(descriptions)
            ),
            "version": "1.0.0",
        },
        "servers": [{"url": "https://api.example.com"}],
        "tags": merged_tags,
        "paths": merged_paths,
        "components": {kind: entries for kind, entries in merged_components.items() if entries},
    }
    counted = count_operations(doc)
    if counted != total:
        sys.exit(f"internal error: counted {counted} operations in the merged document, expected {total}")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    problems = check(doc)
    if problems:
        for problem in problems[:50]:
            print(f"error: {problem}", file=sys.stderr)
        sys.exit(f"{len(problems)} problems in the merged document; not written")

    out = Path(args.out)
    if not out.is_absolute():
        out = Path.cwd() / out
    out.parent.mkdir(parents=True, exist_ok=True)
    data = (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    out.write_bytes(data)
    print(f"{out}: {total:,} operations, {len(merged_paths):,} paths, {len(data):,} bytes "
          f"({len(data) / 1e6:.1f} MB), {len(plan)} services from {len(sources)} documents")


if __name__ == "__main__":
    main()
