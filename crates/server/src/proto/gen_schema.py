#!/usr/bin/env python3
"""Writes schema.json: the protobuf field tables of the kinds kubeplay serves,
read from the Go types of k8s.io/api and k8s.io/apimachinery (each struct
field's `protobuf:"<wire>,<number>,<opt|rep>,name=..."` and `json:"..."`
tags), cross-checked against their generated.proto files.

Usage: gen_schema.py SRC_DIR > schema.json, where SRC_DIR holds
core.go core.proto apps.go apps.proto discovery.go discovery.proto
coordination.go coordination.proto networking.go networking.proto meta.go
meta.proto, taken from kubernetes/api (core/v1, apps/v1, discovery/v1,
coordination/v1, networking/v1:
types.go, generated.proto) and kubernetes/apimachinery (pkg/apis/meta/v1).
"""
import json
import re
import sys

SRC = sys.argv[1]
PACKAGES = {
    # package key: (types file, proto file, Go import names that refer to it)
    "core": ("core.go", "core.proto", {"v1", "corev1"}),
    "apps": ("apps.go", "apps.proto", set()),
    "discovery": ("discovery.go", "discovery.proto", set()),
    "coordination": ("coordination.go", "coordination.proto", set()),
    "networking": ("networking.go", "networking.proto", set()),
    "meta": ("meta.go", "meta.proto", {"metav1"}),
}
# The messages decoded; everything they reach is decoded too.
ROOTS = [
    ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "DaemonSet"),
    ("core", "Pod"), ("core", "Service"), ("core", "ConfigMap"), ("core", "Namespace"),
    ("core", "ServiceAccount"), ("core", "ReplicationController"), ("core", "Node"),
    ("core", "Endpoints"), ("core", "Event"), ("discovery", "EndpointSlice"),
    ("coordination", "Lease"), ("networking", "Ingress"), ("networking", "IngressClass"),
    ("meta", "DeleteOptions"),
]
# Types with their own JSON form (not a message's fields).
SPECIAL = {
    ("meta", "Time"): "Time", ("meta", "MicroTime"): "MicroTime", ("meta", "Duration"): "Duration",
    ("meta", "FieldsV1"): "FieldsV1", ("resource", "Quantity"): "Quantity", ("intstr", "IntOrString"): "IntOrString",
    ("meta", "TypeMeta"): None,
}

structs = {}   # (pkg, name) -> list of field lines
aliases = {}   # (pkg, name) -> underlying Go type text
for pkg, (gofile, _, _) in PACKAGES.items():
    text = open(f"{SRC}/{gofile}").read()
    for m in re.finditer(r"^type (\w+) struct \{\n(.*?)^\}", text, re.S | re.M):
        structs[(pkg, m.group(1))] = m.group(2)
    for m in re.finditer(r"^type (\w+) ([\w\[\]\.\*]+)\s*$", text, re.M):
        aliases[(pkg, m.group(1))] = m.group(2)

proto_numbers = {}  # (pkg, message) -> {field name: number}
for pkg, (_, protofile, _) in PACKAGES.items():
    text = open(f"{SRC}/{protofile}").read()
    for m in re.finditer(r"^message (\w+) \{\n(.*?)^\}", text, re.S | re.M):
        nums = {}
        for f in re.finditer(r"^\s+(?:optional|repeated)?\s*[\w\.<>, ]+? (\w+) = (\d+);", m.group(2), re.M):
            nums[f.group(1)] = int(f.group(2))
        proto_numbers[(pkg, m.group(1))] = nums


def resolve(pkg, gotype):
    """(repeated, map, pointer, base) where base is a scalar name or (pkg, Struct)."""
    t = gotype
    pointer = t.startswith("*")
    t = t.lstrip("*")
    if t.startswith("[]") and t != "[]byte":
        inner = resolve(pkg, t[2:])
        return ("rep", inner)
    if t.startswith("map["):
        value = t[t.index("]") + 1:]
        return ("map", resolve(pkg, value))
    if "." in t:
        qual, name = t.split(".")
        if qual == "types" and name == "UID":
            return ("scalar", "string", pointer)
        tpkg = next((p for p, (_, _, names) in PACKAGES.items() if qual in names), qual)
        return resolve_named(tpkg, name, pointer)
    return resolve_named(pkg, t, pointer)


def resolve_named(pkg, name, pointer):
    if name in ("string", "bool", "int32", "int64", "int", "float64", "[]byte", "byte"):
        return ("scalar", {"int": "int64", "byte": "int32"}.get(name, name), pointer)
    if (pkg, name) in SPECIAL:
        return ("special", SPECIAL[(pkg, name)], pointer)
    if (pkg, name) in structs:
        return ("msg", (pkg, name), pointer)
    if (pkg, name) in aliases:
        r = resolve(pkg, aliases[(pkg, name)])
        if r[0] == "scalar":
            return ("scalar", r[1], pointer)
        return r
    raise SystemExit(f"unknown Go type {pkg}.{name}")


FIELD = re.compile(r"^\s*(?:(\w+)\s+)?([\w\.\[\]\*]+)\s+`(.*)`")
messages = {}


def fields_of(key):
    out = []
    for line in structs[key].splitlines():
        if line.strip().startswith("//"):
            continue
        m = FIELD.match(line)
        if not m:
            continue
        name, gotype, tag = m.groups()
        pb = re.search(r'protobuf:"(\w+),(\d+)(?:,(?:opt|rep|req))?[^"]*"', tag)
        if not pb:
            continue
        js = re.search(r'json:"([^"]*)"', tag).group(1).split(",")
        jname = js[0]
        # An embedded struct without a JSON name is inlined by encoding/json.
        inline = "inline" in js[1:] or (name is None and jname == "")
        omitempty = "omitempty" in js[1:]
        omitzero = "omitzero" in js[1:]
        # `protobuf:"bytes,1,req"` (no name=): the proto field is the Go type's lowerCamel name.
        named = re.search(r"name=(\w+)", tag)
        pname = named.group(1) if named else gotype[0].lower() + gotype[1:]
        number = int(pb.group(2))
        expect = proto_numbers.get(key, {}).get(pname)
        if expect != number:
            raise SystemExit(f"{key} {pname}: types.go says {number}, generated.proto says {expect}")
        go_name = name or gotype.lstrip("*").split(".")[-1]
        out.append(dict(number=number, json=jname, go=go_name, inline=inline, omitempty=omitempty, omitzero=omitzero, ty=resolve(key[0], gotype)))
    missing = set(proto_numbers.get(key, {}).values()) - {f["number"] for f in out}
    if missing:
        raise SystemExit(f"{key}: generated.proto fields {sorted(missing)} not found in types.go")
    return out


def visit(key):
    if key in messages:
        return
    messages[key] = None
    fs = fields_of(key)
    messages[key] = fs
    for f in fs:
        walk(f["ty"])


def walk(ty):
    if ty[0] in ("rep", "map"):
        walk(ty[1])
    elif ty[0] == "msg":
        visit(ty[1])


for root in ROOTS:
    visit(root)


def type_name(ty):
    kind = ty[0]
    if kind == "scalar":
        return {"string": "str", "[]byte": "bytes"}.get(ty[1], {"int32": "i32", "int64": "i64", "float64": "f64"}.get(ty[1], ty[1]))
    if kind == "special":
        return ty[1].lower()
    if kind == "msg":
        return "msg:" + ".".join(ty[1])
    if kind == "map":
        return "map:" + type_name(ty[1])
    raise SystemExit(f"nested {ty}")


# One message per entry, one field per line: [number, json, Go name, type, flags].
out = ["{", '  "source": "k8s.io/api core/v1, apps/v1, discovery/v1, coordination/v1 and k8s.io/apimachinery pkg/apis/meta/v1: types.go tags, checked against generated.proto (gen_schema.py)",', '  "messages": {']
keys = sorted(messages)
for i, key in enumerate(keys):
    out.append(f'    "{key[0]}.{key[1]}": [')
    for j, fl in enumerate(messages[key]):
        ty = fl["ty"]
        repeated = ty[0] == "rep"
        base = ty[1] if repeated else ty
        pointer = ty[0] not in ("rep", "map") and ty[2]
        flags = [n for n, on in (("omitempty", fl["omitempty"]), ("omitzero", fl["omitzero"]), ("pointer", pointer), ("inline", fl["inline"]), ("repeated", repeated)) if on]
        row = json.dumps([fl["number"], fl["json"], fl["go"], type_name(base), ",".join(flags)])
        out.append(f"      {row}" + ("," if j + 1 < len(messages[key]) else ""))
    out.append("    ]" + ("," if i + 1 < len(keys) else ""))
out.append("  }")
out.append("}")
print("\n".join(out))
print(f"// {len(messages)} messages, {sum(len(v) for v in messages.values())} fields.", file=sys.stderr)
