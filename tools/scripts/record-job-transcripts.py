#!/usr/bin/env python3
"""Records the block job transcripts of fixtures/transcripts with qmpc's own --trace, against a real QEMU.

    tools/scripts/record-job-transcripts.py QMPC QEMU-BIN-DIR OUT-DIR

QMPC is the qmpc binary (e.g. build/tools/qmpc/qmpc); QEMU-BIN-DIR holds qemu-system-x86_64, qemu-img and qemu-io
of one QEMU (/usr/bin for the system's, or the bin folder tools/scripts/fetch-qemu.sh prints for another version).
Each recording gets a new QEMU (-M none -nodefaults -display none, QMP on a socket of its own) and writes
OUT-DIR/qemu-MAJOR.MINOR-NAME.qmpt:

    active-commit-pivot    qmpc commit --device disk0 --pivot            (top.qcow2 into mid.qcow2, then base)
    commit-intermediate    qmpc commit --device disk0 --top mid0 --base base0
    stream                 qmpc stream --device disk0
    backup-full            qmpc backup --device disk0 --target full0     (blockdev-backup, sync full)
    backup-incremental     qmpc backup --device disk0 --target inc0 --sync incremental --bitmap bm0
    active-commit-graph    qmpc exec x-debug-query-block-graph           (an active commit c1 crawls at 1 B/s)
    commit-graph           qmpc exec x-debug-query-block-graph           (a commit of mid0 into base0, c1, crawls)

The chain is base.qcow2 <- mid.qcow2 <- top.qcow2 (4 MiB; base holds 0x01 at [0, 1M), mid 0x02 at [1M, 2M), top
0x03 at [2M, 3M)), opened as -blockdev base0, mid0 and -drive disk0 (node top0) on mid0. Everything runs in a
scratch folder given to QEMU and qmpc by relative names, so no host path lands in a recording. What prepares a
recording (bitmap, targets, a guest write) is sent by `qmpc exec` without --trace: each transcript holds the one
qmpc command named above. Each is checked with `qmpc trace check` before it is kept. ONLY="NAME..." in the
environment records only those.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

if len(sys.argv) != 4:
    sys.exit(__doc__)
qmpc, bindir, outdir = (os.path.abspath(a) for a in sys.argv[1:])
qemu_img = os.path.join(bindir, "qemu-img")
qemu_io = os.path.join(bindir, "qemu-io")
qemu_system = os.path.join(bindir, "qemu-system-x86_64")
SOCKET = "qmp.sock"


def run(*args):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        sys.exit("%s failed (%d): %s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
    return r.stdout


def make_chain():
    for name in os.listdir("."):
        os.remove(name)
    run(qemu_img, "create", "-q", "-f", "qcow2", "base.qcow2", "4M")
    run(qemu_io, "-c", "write -P 0x01 0 1M", "base.qcow2")
    run(qemu_img, "create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", "mid.qcow2")
    run(qemu_io, "-c", "write -P 0x02 1M 1M", "mid.qcow2")
    run(qemu_img, "create", "-q", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", "top.qcow2")
    run(qemu_io, "-c", "write -P 0x03 2M 1M", "top.qcow2")


def start_qemu():
    qemu = subprocess.Popen([qemu_system, "-M", "none", "-nodefaults", "-display", "none",
                             "-qmp", "unix:%s,server=on,wait=off" % SOCKET,
                             "-blockdev", "driver=qcow2,node-name=base0,file.driver=file,file.filename=base.qcow2",
                             "-blockdev", "driver=qcow2,node-name=mid0,backing=base0,"
                                          "file.driver=file,file.filename=mid.qcow2",
                             "-drive", "if=none,id=disk0,node-name=top0,backing=mid0,file=top.qcow2"])
    for _ in range(200):
        if os.path.exists(SOCKET):
            return qemu
        time.sleep(0.05)
    qemu.kill()
    sys.exit("QEMU made no QMP socket")


def qmpc_exec(*args):
    return run(qmpc, "-s", SOCKET, "exec", *args)


def add_target(node, path, backing="null"):
    run(qemu_img, "create", "-q", "-f", "qcow2", path, "4M")
    qmpc_exec("blockdev-add", json.dumps({"driver": "qcow2", "node-name": node, "backing": None,
                                          "file": {"driver": "file", "filename": path}}))


def crawling_commit(*what):
    return lambda: run(qmpc, "-s", SOCKET, "commit", "--device", "disk0", "--job-id", "c1", "--bandwidth", "1",
                       "--detach", *what)


def prepare_backup_incremental():
    qmpc_exec("block-dirty-bitmap-add", "node=top0", "name=bm0")
    add_target("full0", "full.qcow2")
    run(qmpc, "-s", SOCKET, "backup", "--device", "disk0", "--target", "full0", "--job-id", "job0")
    qmpc_exec("human-monitor-command", 'command-line=qemu-io disk0 "write -P 0x77 0 64k"')
    add_target("inc0", "inc.qcow2")


JOB = ["--job-id", "job0"]
RECORDINGS = [
    ("active-commit-pivot", None, ["commit", "--device", "disk0", "--pivot"] + JOB),
    ("commit-intermediate", None, ["commit", "--device", "disk0", "--top", "mid0", "--base", "base0"] + JOB),
    ("stream", None, ["stream", "--device", "disk0"] + JOB),
    ("backup-full", lambda: add_target("full0", "full.qcow2"),
     ["backup", "--device", "disk0", "--target", "full0"] + JOB),
    ("backup-incremental", prepare_backup_incremental,
     ["backup", "--device", "disk0", "--target", "inc0", "--sync", "incremental", "--bitmap", "bm0"] + JOB),
    ("active-commit-graph", crawling_commit(), ["exec", "x-debug-query-block-graph"]),
    ("commit-graph", crawling_commit("--top", "mid0", "--base", "base0"), ["exec", "x-debug-query-block-graph"]),
]


def qemu_version():
    out = run(qemu_system, "--version")
    version = out.split("version ", 1)[1].split()[0]
    return ".".join(version.split(".")[:2])


def main():
    version = qemu_version()
    only = os.environ.get("ONLY", "").split()
    os.makedirs(outdir, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="qmpc-record-")
    os.chdir(scratch)
    try:
        for name, prepare, command in RECORDINGS:
            if only and name not in only:
                continue
            make_chain()
            qemu = start_qemu()
            try:
                if prepare:
                    prepare()
                trace = name + ".qmpt"
                print(run(qmpc, "-s", SOCKET, "--trace", trace, *command).strip()[:200])
                print(run(qmpc, "trace", "check", trace).strip())
                qmpc_exec("quit")
                qemu.wait(30)
            finally:
                if qemu.poll() is None:
                    qemu.kill()
            dest = os.path.join(outdir, "qemu-%s-%s.qmpt" % (version, name))
            shutil.copyfile(trace, dest)
            print("recorded", dest)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


main()
