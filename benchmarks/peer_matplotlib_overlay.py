"""The peer we compare ``ocrviewer render`` with: the Azure quickstart's matplotlib overlay.

Microsoft's "Extract handwritten text with Python" quickstart (see /work/shared/seeds) draws the
result with ``plt.imshow(image)`` plus one ``matplotlib.patches.Polygon`` and one ``plt.text`` per
box. This script does exactly that for every WORD of an Azure Read v3 (or v2 recognizeText)
response, on a figure the size of the image, and saves it at the image's pixel size.

Only the figure size and the font size differ from the quickstart (which shows a 15x15 inch
figure at 20 pt): the picture must be full resolution to compare with ``ocrviewer render``, and
20 pt labels would bury 10,000 small words.

Usage: python benchmarks/peer_matplotlib_overlay.py IMAGE RESPONSE.json OUT.png
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")  # headless, like a saved figure in a script

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402
from PIL import Image  # noqa: E402

DPI = 100


def words_of(analysis: dict) -> list[tuple[list[float], str]]:
    """(flat bounding box, text) for each word of a Read v3 or recognizeText v2 result."""
    if "analyzeResult" in analysis:
        pages = analysis["analyzeResult"]["readResults"]
        lines = [line for page in pages for line in page["lines"]]
    else:
        lines = analysis["recognitionResult"]["lines"]
    return [(word["boundingBox"], word["text"]) for line in lines for word in line["words"]]


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    image_path, response_path, out_path = argv
    with open(response_path, encoding="utf-8") as f:
        analysis = json.load(f)
    polygons = words_of(analysis)

    image = Image.open(image_path)
    width, height = image.size
    fig = plt.figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    fig.add_axes((0, 0, 1, 1))
    ax = plt.imshow(image)
    for box, text in polygons:
        vertices = [(box[i], box[i + 1]) for i in range(0, len(box), 2)]
        box_height = max(y for _, y in vertices) - min(y for _, y in vertices)
        patch = Polygon(vertices, closed=True, fill=False, linewidth=2, color="y")
        ax.axes.add_patch(patch)
        plt.text(
            vertices[0][0], vertices[0][1], text, fontsize=max(1.0, box_height * 0.6 * 72 / DPI), va="top"
        )
    _ = plt.axis("off")
    plt.savefig(out_path, dpi=DPI)
    plt.close("all")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
