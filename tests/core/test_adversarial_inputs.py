"""Bad input found by an adversarial pass (session 6): each is a one-line error saying what to do, and
nothing is written, replaced or allocated beyond reason."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest
from PIL import Image

from ocrviewer.errors import BadInput
from ocrviewer.providers.settings import load_settings
from tests.support import responses as R
from tests.support.cli import one_error_line, run
from tests.support.documents import azure_read_pdf_response, make_pdf, write_json
from tests.support.images import make_text_image


@pytest.fixture
def poster(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """An A4 PDF whose page at 150 dpi (1240x1755) passes a lowered pixel limit, as a poster-sized
    page (200 x 200 inches) passes the real one: PDFium would allocate the bitmap before any check."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500_000)  # refused above twice this, as Pillow does
    pdf = make_pdf(tmp_path / "poster.pdf", pages=1)
    resp = write_json(tmp_path / "poster.json", azure_read_pdf_response([1]))
    return pdf, resp


@pytest.mark.parametrize(
    ("command", "out", "extra"),
    [("render", "o.png", ()), ("render", "o.pdf", ()), ("export", "o.pdf", ("--to", "pdf"))],
)
def test_a_pdf_page_too_large_for_its_dpi_is_drawn_at_one_that_fits_with_a_note(
    capsys, tmp_path: Path, poster, command: str, out: str, extra: tuple[str, ...]
) -> None:
    """It was refused ("render it at 101 dpi or less"); now it is drawn at that dpi, and a note says
    so. Nothing is ever allocated beyond the limit: PDFium renders 835x1182."""
    pdf, resp = poster
    code, _, err = run(capsys, command, pdf, "-r", resp, *extra, "-o", tmp_path / out)
    assert code == 0, err
    assert "page 1 is 8.3x11.7 inches, 1240x1755 pixels at 150 dpi" in err and "shown at 101 dpi" in err
    assert (tmp_path / out).stat().st_size > 0
    if out.endswith(".png"):
        with Image.open(tmp_path / out) as drawn:
            assert drawn.size == (835, 1182)


def test_info_on_a_page_too_large_to_render_tells_the_dpi_it_is_shown_at(capsys, poster) -> None:
    pdf, _ = poster
    code, out, err = run(capsys, "info", pdf)
    assert code == 0 and not err
    assert "page 1: 835x1182\n    note: page 1 is 8.3x11.7 inches" in out and "shown at 101 dpi" in out


@pytest.mark.parametrize("lines", [False, True])
def test_a_number_with_thousands_of_digits_is_one_line(capsys, tmp_path: Path, lines: bool) -> None:
    resp = tmp_path / "digits.json"
    text = json.dumps(R.build_response("azure-v3"))
    text = text.replace('"status"', '"n": ' + "9" * 5000 + ', "status"', 1)
    resp.write_text(text + ("\n" + text if lines else ""))
    code, _, err = run(capsys, "info", "-r", resp)
    assert code == 1
    one_error_line(err, "digits.json", "not ")
    assert "Traceback" not in err and "set_int_max_str_digits" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_an_output_that_is_a_pipe_is_written_into_not_replaced(capsys, tmp_path: Path) -> None:
    """``-o /dev/stdout`` or a named pipe: renaming a finished file over it replaced the pipe (as root,
    ``-o /dev/full`` replaced the device node with a regular file)."""
    image = make_text_image(tmp_path / "photo.jpg")
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = run(capsys, "export", image, "-r", resp, "-o", fifo)
    reader.join(timeout=60)
    assert code == 0, err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(got[0])["schema"] == "ocrviewer.document/1"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (("--provider", "nope"), ("--provider 'nope'", "unknown provider", "local")),
        (("--page", "0"), ("--page 0", "give 1 or more")),
    ],
)
def test_view_refuses_a_bad_option_before_opening_a_window(capsys, tmp_path: Path, argv, needles) -> None:
    image = make_text_image(tmp_path / "photo.jpg")
    code, _, err = run(capsys, "view", image, *argv, "--screenshot", tmp_path / "shot.png")
    assert code == 1
    one_error_line(err, *needles)
    assert not (tmp_path / "shot.png").exists()


def test_a_settings_file_nested_too_deeply_is_one_line(tmp_path: Path) -> None:
    settings = tmp_path / "providers.json"
    settings.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(BadInput, match="fix or delete it") as info:
        load_settings(settings)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("grey16.png", lambda np, ramp: (ramp * 65535).astype(np.uint16)),  # a scanner's 16-bit PNG
        ("grey16.tif", lambda np, ramp: (ramp * 65535).astype(np.uint16)),  # archival 16-bit TIFF
        ("grey32.tif", lambda np, ramp: (ramp * 65535).astype(np.int32)),
        ("float.tif", lambda np, ramp: ramp.astype(np.float32)),
    ],
)
def test_16_bit_and_float_grey_images_are_drawn_as_grey_not_white(
    capsys, tmp_path: Path, name, values
) -> None:
    """Pillow's conversion to RGB clips every value over 255: a 16-bit scan came out blank white, in the
    window, in 'render' and in what was sent for recognition."""
    import numpy as np

    ramp = np.tile(np.linspace(0.0, 1.0, 256), (60, 1))
    image = tmp_path / name
    Image.fromarray(values(np, ramp)).save(image)
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    code, _, err = run(
        capsys, "render", image, "-r", resp, "--levels", "block", "--no-labels", "-o", tmp_path / "o.png"
    )
    assert code == 0, err
    with Image.open(tmp_path / "o.png") as out:
        grey = out.convert("L")
        row = [grey.getpixel((x, 2)) for x in (0, 64, 128, 192, 255)]
    assert row == sorted(row) and row[0] <= 5 and row[-1] >= 250 and 100 <= row[2] <= 155, row


@pytest.mark.parametrize("command", ["render", "export", "info"])
def test_a_response_whose_sidecar_names_a_pdf_is_drawn_without_it(
    capsys, tmp_path: Path, command: str
) -> None:
    """'recognize scan.pdf' writes sidecars naming the PDF; 'render -r page.json' then said the PDF was
    'not an image Pillow can read; use JPEG, PNG...'."""
    from ocrviewer.core.sidecar import Sidecar, write_sidecar

    pdf = make_pdf(tmp_path / "scan.pdf", pages=1)
    resp = R.write_response(tmp_path / "scan.p0001.json", R.build_response("azure-v3"))
    write_sidecar(resp, Sidecar(provider="local", image_path=str(pdf), frame="display"))
    out = tmp_path / ("o.png" if command == "render" else "o.json")
    argv = ["-r", resp] if command == "info" else ["-r", resp, "-o", out]
    code, stdout, err = run(capsys, command, *argv)
    assert code == 0, err
    assert "not an image Pillow can read" not in err + stdout
    assert "the sidecar names a PDF" in err + stdout and "give it as the document" in err + stdout
    if command != "info":
        assert out.stat().st_size > 0


@pytest.mark.parametrize(
    "body",
    [
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#">'
        + "<Layout>" * 400
        + "</Layout>" * 400
        + "</alto>",
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout CONTENT="'
        + "A" * 11_000_000
        + '"/></alto>',
    ],
    ids=["deep", "huge-text"],
)
def test_xml_past_the_parsers_limits_is_refused_in_our_words(capsys, tmp_path: Path, body: str) -> None:
    """libxml2's limits stay on; its message said 'try XML_PARSE_HUGE', an option no user can set."""
    resp = tmp_path / "r.alto.xml"
    resp.write_text('<?xml version="1.0"?>\n' + body)
    code, _, err = run(capsys, "info", "-r", resp)
    assert code == 1
    one_error_line(err, "r.alto.xml", "past the safe parser's limits", "give the result")
    assert "XML_PARSE_HUGE" not in err


@pytest.mark.parametrize(
    ("name", "content", "needles"),
    [
        ("r.alto.xml", "hello", ("not XML", "hOCR, ALTO or PAGE-XML")),
        ("r.hocr", "<html><body><p>cut sh", ("HTML file with no hOCR", "cut short")),
        ("r.json", '{"result": {"textAnnotation": {"blocks": "x"}}}', ("blocks is not a list", "; give the")),
    ],
)
def test_a_damaged_result_file_says_what_it_is_and_what_to_do(
    capsys, tmp_path: Path, name, content, needles
) -> None:
    resp = tmp_path / name
    resp.write_text(content)
    code, _, err = run(capsys, "info", "-r", resp)
    assert code == 1
    one_error_line(err, name, *needles)
    assert "not JSON" not in err


@pytest.mark.parametrize(
    ("data", "needles"),
    [
        (b"", ("the file is empty (0 bytes)", "re-download")),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", ("truncated or corrupt", "re-download")),
    ],
    ids=["empty", "cut-webp"],
)
def test_an_empty_or_cut_image_says_so(capsys, tmp_path: Path, data: bytes, needles) -> None:
    image = tmp_path / "photo.webp"
    image.write_bytes(data)
    code, _, err = run(capsys, "info", image)
    assert code == 1
    one_error_line(err, "photo.webp", *needles)
    assert "use JPEG" not in err


@pytest.fixture
def latin1_named(tmp_path: Path) -> tuple[Path, Path]:
    """A photo and its response whose names are Latin-1 bytes, not UTF-8 (an old camera card, a zip
    from Windows): Python keeps the byte as a lone surrogate, which no UTF-8 writer accepts."""
    import sys

    if sys.platform == "win32" or sys.getfilesystemencoding().lower() != "utf-8":
        pytest.skip("names are bytes only on POSIX with UTF-8 file names")
    stem = os.fsdecode(b"caf\xe9")
    image = make_text_image(tmp_path / f"{stem}.jpg")
    resp = R.write_response(tmp_path / f"{stem}.json", R.build_response("azure-v3"))
    return image, resp


@pytest.mark.parametrize("out", ["o.hocr", "o.alto.xml", "o.page.xml", "o-{page}.page.xml"])
def test_a_file_name_that_is_not_utf8_can_be_exported(capsys, tmp_path: Path, latin1_named, out: str) -> None:
    image, resp = latin1_named
    code, _, err = run(capsys, "export", image, "-r", resp, "-o", tmp_path / out)
    assert code == 0, err
    written = tmp_path / out.replace("{page}", "1")
    text = written.read_text(encoding="utf-8")  # valid UTF-8 throughout
    assert "caf\ufffd.jpg" in text


def test_a_file_name_that_is_not_utf8_can_be_compared_with_a_report(
    capsys, tmp_path: Path, latin1_named
) -> None:
    image, resp = latin1_named
    report = tmp_path / "report.html"
    code, _, err = run(
        capsys, "compare", image, resp, resp, "--report", report, "--json", tmp_path / "c.json"
    )
    assert code == 0, err
    assert "caf\ufffd" in report.read_text(encoding="utf-8")
    json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
