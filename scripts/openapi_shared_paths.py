#!/usr/bin/env python3
"""Writes openapi.yaml's `/accounts/{user_id}/…` operations: every shareable route again under
the sharer's id (Sources/API/Routes/ShareRoutes.swift mirrors them the same way). A GET answers
as the sharer's own GET does; any other method is 403 `read_only_share` for a grantee and 404 for
anyone else. Run it after adding or changing a route; SpecDriftTests fails until it is run.

    python3 scripts/openapi_shared_paths.py        (rewrites openapi.yaml in place)

Needs PyYAML. The spec is dumped as it is written: block style, width 120, keys in order.
"""
import copy
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
PREFIX = "/accounts/{user_id}"
# As ShareRoutes.privatePrefixes: credentials, account management, sharing, the server's own.
PRIVATE = ["/tokens", "/feeds", "/calendar", "/users", "/invites", "/shares", "/sessions", "/accounts", "/health", "/ready",
           "/openapi.yaml", "/metrics", "/webhooks"]
METHODS = ["get", "put", "post", "patch", "delete"]


def shareable(path):
    return not any(path == p or path.startswith(p + "/") for p in PRIVATE) and path != "/me/password"


def user_id_parameter():
    return {"name": "user_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1},
            "description": "The account that shared its search with you."}


def ref(code):
    return {"$ref": f"#/components/responses/E{code}"}


def mirrored(path, method, operation, path_parameters):
    shared = copy.deepcopy(operation)
    own = {(p.get("name"), p.get("in")) for p in shared.get("parameters", [])}
    # Parameters the original declares for the whole path item belong to each mirrored operation.
    shared["parameters"] = [copy.deepcopy(p) for p in path_parameters if (p.get("name"), p.get("in")) not in own] + shared.get("parameters", [])
    shared["operationId"] = "shared" + operation["operationId"][0].upper() + operation["operationId"][1:]
    shared["tags"] = ["shares"]
    shared.pop("security", None)
    shared["parameters"] = [user_id_parameter()] + shared.get("parameters", [])
    if method == "get":
        shared["summary"] = "Through a share: " + operation.get("summary", path)
        shared["description"] = (f"What GET {path} answers the account that shared its search with you; 404 without a share. "
                                 "Each read is counted for the sharer (GET /shares/{id}/reads).")
        shared["responses"]["404"] = ref(404)
    else:
        # Refused before anything is read: only the path and the share matter.
        shared["summary"] = f"Refused through a share: {method.upper()} {path} is the sharer's own."
        shared["description"] = "403 `read_only_share` for a grantee; 404 for anyone the account has not shared with."
        shared["parameters"] = [user_id_parameter()] + [p for p in shared["parameters"][1:] if p.get("in") == "path"]
        shared.pop("requestBody", None)
        shared["responses"] = {str(code): ref(code) for code in [400, 401, 403, 404, 413, 414, 429, 431, 503]}
    shared["responses"] = dict(sorted(shared["responses"].items()))
    shared["x-shared-from"] = f"{method.upper()} {path}"
    return shared


def main():
    spec = yaml.safe_load(SPEC.read_text())
    paths = spec["paths"]
    # Drop what an earlier run wrote; keep hand-written operations under /accounts (coach notes).
    for path in list(paths):
        if path.startswith(PREFIX):
            for method in list(paths[path]):
                if isinstance(paths[path][method], dict) and "x-shared-from" in paths[path][method]:
                    del paths[path][method]
            if not any(m in paths[path] for m in METHODS):
                del paths[path]
    generated = {}
    for path, item in paths.items():
        if path.startswith(PREFIX) or not shareable(path):
            continue
        for method in METHODS:
            if method in item:
                generated.setdefault(PREFIX + path, {})[method] = mirrored(path, method, item[method], item.get("parameters", []))
    for path, item in generated.items():
        existing = paths.setdefault(path, {})
        existing.update(item)
        paths[path] = {m: existing[m] for m in METHODS if m in existing} | {k: v for k, v in existing.items() if k not in METHODS}
    SPEC.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=120))
    print(f"{sum(len(v) for v in generated.values())} shared operations written", file=sys.stderr)


if __name__ == "__main__":
    main()
