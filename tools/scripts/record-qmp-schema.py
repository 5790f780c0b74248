#!/usr/bin/env python3
"""Records QEMU's QMP schema (the "return" array of query-qmp-schema) as a fixture.

    tools/scripts/record-qmp-schema.py [QEMU-SYSTEM-BINARY] > fixtures/schema/qemu-VERSION.json

QEMU (default: qemu-system-x86_64 on PATH; e.g. qemu/10.0/bin/qemu-system-x86_64 from tools/scripts/fetch-qemu.sh for another version)
is started with -M none -nodefaults -display none and a QMP monitor on stdio; the array is written with one
SchemaInfo object per line, and the version QEMU reported goes to stderr.
"""
import json
import subprocess
import sys

binary = sys.argv[1] if len(sys.argv) > 1 else "qemu-system-x86_64"
commands = [{"execute": "qmp_capabilities"}, {"execute": "query-qmp-schema", "id": "schema"},
            {"execute": "quit"}]
qemu = subprocess.run([binary, "-M", "none", "-nodefaults", "-display", "none", "-qmp", "stdio"],
                      input="".join(json.dumps(c) + "\n" for c in commands), capture_output=True, text=True,
                      timeout=60)
schema = None
version = None
for line in qemu.stdout.splitlines():
    message = json.loads(line)
    if "QMP" in message:
        v = message["QMP"]["version"]
        version = "%d.%d.%d (%s)" % (v["qemu"]["major"], v["qemu"]["minor"], v["qemu"]["micro"], v["package"])
    elif message.get("id") == "schema":
        if "return" not in message:
            sys.exit("query-qmp-schema failed: %s" % message)
        schema = message["return"]
if schema is None:
    sys.exit("no reply to query-qmp-schema from %s: %s" % (binary, qemu.stderr.strip()))
print("[")
print(",\n".join(json.dumps(entry, sort_keys=True) for entry in schema))
print("]")
print("recorded the schema of QEMU %s: %d entries" % (version, len(schema)), file=sys.stderr)
