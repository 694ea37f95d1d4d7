"""Gathers per-study tract tables (tracts/stats, tracts/profile) into one cohort table; records measures.

    cohort-table.py --out COHORT.tsv --prefix [NAME] --tables TSV...

Each input is a long TSV with the header subject, study, bundle, measure, node, value (what the
per-study jobs write). The output is their rows under one header, in the order given (the run's item
order), with the header checked in every file and each (subject, study, bundle, measure, node) allowed
once: two files giving the same bundle for one study (AF_L.tck and AF_L.trk) fail, naming both.
Inside a run every value is also recorded as a measure of its study (`cohort record --file ... --study
SUBJECT#STUDY`, one call per study): PREFIX.BUNDLE.MEASURE for whole-bundle rows, PREFIX.BUNDLE.MEASURE.NODE
for profile rows (PREFIX defaults to tract; characters other than letters, digits and _ : / + -
become _). NA values (an empty node) are kept in the table and not recorded.
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile

COLUMNS = ["subject", "study", "bundle", "measure", "node", "value"]


def fail(message):
    print(f"cohort: {message}", file=sys.stderr)
    sys.exit(1)


def key_part(text):
    # A measure key's characters; dots separate the key's parts, so none inside a part.
    return re.sub(r"[^A-Za-z0-9_:/+-]", "_", str(text)).strip("_") or "_"


def read_rows(path):
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    if lines[0].rstrip("\r").split("\t") != COLUMNS:
        fail(f"{path} is not a tract table: its header must be {' '.join(COLUMNS)} (tracts/stats and tracts/profile write it)")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "":
            continue
        fields = line.rstrip("\r").split("\t")
        if len(fields) != len(COLUMNS):
            fail(f"{path}, line {number}: {len(fields)} fields, expected {len(COLUMNS)}")
        rows.append(fields)
    return rows


def record(study, measures):
    """Records one study's measures with the in-job CLI (SUBJECT#STUDY, or SUBJECT for a subject's rows)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=".", delete=False) as handle:
        json.dump(measures, handle)
    target = ["--study", study] if "#" in study else ["--subject", study]
    try:
        subprocess.run(["cohort", "record", "--file", handle.name, *target], check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        fail(f"recording the measures of {study} with cohort record failed ({error})")
    finally:
        os.unlink(handle.name)


def main():
    parser = argparse.ArgumentParser(prog="cohort-table.py")
    parser.add_argument("--out", required=True)
    parser.add_argument("--prefix", nargs="?", default="")
    parser.add_argument("--tables", nargs="+", required=True)
    options = parser.parse_args(sys.argv[1:])
    prefix = key_part(options.prefix or "tract")

    seen = {}
    rows = []
    measures = {}
    for path in options.tables:
        for subject, study, bundle, measure, node, value in read_rows(path):
            ids = (subject, study, bundle, measure, node)
            if ids in seen:
                fail(
                    f"{subject}#{study} has {bundle} {measure}{' node ' + node if node else ''} in both {seen[ids]}"
                    f" and {path}; give each study one file per bundle (narrow the patterns)"
                )
            seen[ids] = path
            rows.append([subject, study, bundle, measure, node, value])
            number = math.nan if value in ("", "NA") else float(value)
            if not math.isnan(number):
                key = ".".join([prefix, key_part(bundle), key_part(measure)] + ([node] if node else []))[:128]
                measures.setdefault(f"{subject}#{study}" if study else subject, {})[key] = number

    with open(options.out, "w", encoding="utf-8", newline="") as handle:
        handle.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            handle.write("\t".join(row) + "\n")
    print(f"cohort: {len(rows)} rows of {len(measures)} studies from {len(options.tables)} tables", file=sys.stderr)

    if not os.environ.get("COHORT_TASK"):
        print("cohort: not inside a run, measures not recorded (the table has them)", file=sys.stderr)
        return
    for study, values in measures.items():
        record(study, values)


if __name__ == "__main__":
    main()
