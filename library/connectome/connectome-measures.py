"""Records a connectome's matrices as measures of the job's study (connectome/tck2connectome's last step).

    connectome-measures.py --prefix [NAME] --count O1 --length O2 --scalar O3 --scalar-image F3 --assignments O4

Keys (PREFIX defaults to `connectome`): PREFIX.streamlines (all streamlines), PREFIX.assigned (those
with both ends in a parcel), and per pair of labels I <= J with at least one streamline
PREFIX.count.I-J, PREFIX.length.I-J (mean mm) and PREFIX.SCALAR.I-J (the mean of the scalar image, named
after its file, e.g. fa). Pairs without streamlines are left out (0 in the CSV): a 116-region atlas has
6786 pairs. Recorded through `cohort record --file` inside a run; outside one only printed.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile


def fail(message):
    print(f"cohort: {message}", file=sys.stderr)
    sys.exit(1)


def key_part(text):
    # A measure key's characters; dots separate the key's parts, so none inside a part.
    return re.sub(r"[^A-Za-z0-9_:/+-]", "_", str(text)).strip("_") or "_"


def stem(path):
    name = os.path.basename(path)
    for extension in (".nii.gz", ".nii", ".mif.gz", ".mif", ".mgz"):
        if name.lower().endswith(extension):
            return name[: -len(extension)]
    return name


def matrix(path):
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                rows.append([float(v) for v in re.split(r"[,\s]+", line.strip())])
    if any(len(row) != len(rows) for row in rows):
        fail(f"{path} is not a square matrix")
    return rows


def record(measures):
    """Records the measures on the job's study with the in-job CLI; outside a run there is no catalog."""
    if not os.environ.get("COHORT_TASK"):
        print("cohort: not inside a run, measures not recorded:", json.dumps(measures), file=sys.stderr)
        return
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=".", delete=False) as handle:
        json.dump(measures, handle)
    try:
        subprocess.run(["cohort", "record", "--file", handle.name], check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        fail(f"recording the measures with cohort record failed ({error})")
    finally:
        os.unlink(handle.name)


def main():
    parser = argparse.ArgumentParser(prog="connectome-measures.py")
    parser.add_argument("--prefix", nargs="?", default="")
    for name in ("--count", "--length", "--scalar", "--scalar-image", "--assignments"):
        parser.add_argument(name, required=True)
    options = parser.parse_args(sys.argv[1:])
    prefix = key_part(options.prefix or "connectome")
    scalar = key_part(stem(options.scalar_image))
    count, length, values = matrix(options.count), matrix(options.length), matrix(options.scalar)
    with open(options.assignments, encoding="utf-8") as handle:
        pairs = [line.split() for line in handle if line.strip() and not line.startswith("#")]
    measures = {
        f"{prefix}.streamlines": len(pairs),
        f"{prefix}.assigned": sum(1 for p in pairs if len(p) == 2 and p[0] != "0" and p[1] != "0"),
    }
    for i, row in enumerate(count):
        for j in range(i, len(row)):
            if row[j] > 0:
                pair = f"{i + 1}-{j + 1}"
                measures[f"{prefix}.count.{pair}"] = row[j]
                measures[f"{prefix}.length.{pair}"] = length[i][j]
                measures[f"{prefix}.{scalar}.{pair}"] = values[i][j]
    record(measures)


if __name__ == "__main__":
    main()
