"""Table of a locust run per endpoint class, with CPU per component: python -m bench.load.report TARGET DIR."""
import csv
import json
import sys
from pathlib import Path


def main(target: str, directory: str) -> None:
    out = Path(directory)
    rows = list(csv.DictReader(open(out / f"{target}_stats.csv")))
    print(f"\n## {target}\n")
    print("| class | requests | failures | req/s | median ms | p95 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", -int(r["Request Count"]))):
        print(f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | {float(row['Requests/s']):.1f} | "
              f"{row['50%']} | {row['95%']} | {row['99%']} |")
    cpu = json.loads((out / f"{target}_cpu.json").read_text())
    print("\n| component | CPU s | cores |")
    print("| --- | ---: | ---: |")
    for role, figures in cpu.items():
        print(f"| {role} | {figures['cpu_seconds']} | {figures['cores']} |")


if __name__ == "__main__":
    main(*sys.argv[1:])
