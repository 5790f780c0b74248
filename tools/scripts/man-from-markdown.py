#!/usr/bin/env python3
"""docs/qmpc.1 from docs/qmpc.1.md: the small Markdown subset the manual uses, turned into roff.

    tools/scripts/man-from-markdown.py docs/qmpc.1.md > docs/qmpc.1

Understood: a '% TITLE(SECTION) SOURCE | MANUAL' first line, '#' and '##' headings, paragraphs, definition
lists (a term line, then ':   ' and the definition, continued by lines indented 4 spaces, with code blocks
indented 8), code blocks indented 4 spaces, **bold** and *italic*.
"""
import re
import sys


def inline(text):
    text = text.replace("\\", "\\e").replace("µ", "\\(mc")
    text = re.sub(r"\*\*(.+?)\*\*", r"\\fB\1\\fR", text)
    text = re.sub(r"\*(.+?)\*", r"\\fI\1\\fR", text)
    return text


def code(text):
    return text.replace("\\", "\\e")


def convert(lines):
    out = [".\\\" Generated from docs/qmpc.1.md; edit that file and regenerate."]
    first = lines[0]
    m = re.match(r"% (\S+)\((\d+)\) (.*?) \| (.*)", first)
    out.append('.TH %s %s "" "%s" "%s"' % (m.group(1), m.group(2), m.group(3), m.group(4)))
    i = 1
    n = len(lines)
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if line.startswith("## "):
            out.append(".SS " + line[3:])
            i += 1
        elif line.startswith("# "):
            out.append(".SH " + line[2:])
            i += 1
        elif line.startswith("    "):
            block = []
            while i < n and (lines[i].startswith("    ") or not lines[i].strip()):
                block.append(lines[i][4:])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            out += [".nf", ".RS 4"] + [code(b) for b in block] + [".RE", ".fi", ".PP"]
        elif i + 1 < n and lines[i + 1].startswith(":   "):
            if out[-1] == ".PP" and not out[-2].startswith((".fi", ".RE")):
                out.pop()
            while i + 1 < n and lines[i + 1].startswith(":   "):
                out += [".TP", inline(lines[i]), inline(lines[i + 1][4:])]
                i += 2
                while i < n:
                    if lines[i].startswith("        "):
                        block = []
                        while i < n and lines[i].startswith("        "):
                            block.append(lines[i][8:])
                            i += 1
                        out += [".PP", ".RS", ".nf"] + [code(b) for b in block] + [".fi", ".RE", ".IP"]
                    elif lines[i].startswith("    "):
                        out.append(inline(lines[i][4:]))
                        i += 1
                    elif not lines[i].strip() and i + 1 < n and (
                            lines[i + 1].startswith("        ") or (out[-1] == ".IP" and lines[i + 1].startswith("    "))):
                        i += 1
                    else:
                        break
                while i < n and not lines[i].strip():
                    i += 1
            out.append(".PP")
        else:
            while i < n and lines[i].strip() and not lines[i].startswith("#"):
                out.append(inline(lines[i]))
                i += 1
            out.append(".PP")
    if out[-1] == ".PP":
        out.pop()
    return out


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        lines = f.read().split("\n")
    sys.stdout.write("\n".join(convert(lines)) + "\n")


if __name__ == "__main__":
    main()
