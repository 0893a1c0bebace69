"""Print a Markdown table of the ``rcot eval --json`` files in a folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path

NAMES = {
    "cbsd68_15": "CBSD68 sigma 15", "cbsd68_25": "CBSD68 sigma 25",
    "cbsd68_50": "CBSD68 sigma 50", "set12_25": "Set12 sigma 25 (gray)",
    "rain100l": "Rain100L", "sots": "SOTS-outdoor (50)", "lol": "LOL (15)",
}


def main(folder: str) -> None:
    print("| set | images | metric | PSNR in | PSNR out | SSIM in | SSIM out "
          "| s/image |")
    print("|---|---|---|---|---|---|---|---|")
    for key, name in NAMES.items():
        path = Path(folder) / f"{key}.json"
        if not path.is_file():
            continue
        r = json.loads(path.read_text())
        print(f"| {name} | {r['count']} | {r['metric']} | {r['psnr_in']:.2f} | "
              f"{r['psnr_out']:.2f} | {r['ssim_in']:.4f} | {r['ssim_out']:.4f} | "
              f"{r['seconds_per_image']:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1])
