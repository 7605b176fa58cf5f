"""Bad hOCR/ALTO/PAGE-XML input: one line naming the file; nothing expands, nothing is fetched."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from ocrviewer.cli import main
from ocrviewer.core.loading import load_result
from ocrviewer.core.parsers import load_response
from ocrviewer.errors import BadResponse
from tests.support.markup import FORMATS as SAMPLES

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout><Page ID="p" PHYSICAL_IMG_NR="1">
<PrintSpace><TextBlock ID="b"><TextLine><String CONTENT="&lol9;" HPOS="0" VPOS="0" WIDTH="9" HEIGHT="9"/>
</TextLine></TextBlock></PrintSpace></Page></Layout></alto>"""


def _external(url: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE PcGts [<!ENTITY xxe SYSTEM "{url}">]>
<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15">
<Page imageFilename="x" imageWidth="10" imageHeight="10"><TextRegion id="r"><Coords points="0,0 9,0 9,9"/>
<TextEquiv><Unicode>&xxe;</Unicode></TextEquiv></TextRegion></Page></PcGts>""".encode()


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback server that records every request (there must be none)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"SECRET")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


def _one_line_error(path: Path, match: str) -> str:
    with pytest.raises(BadResponse) as info:
        load_response(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert match in message, message
    return message


def test_billion_laughs_is_refused_without_expanding(tmp_path: Path) -> None:
    f = tmp_path / "bomb.xml"
    f.write_bytes(BILLION_LAUGHS)
    _one_line_error(f, "declares entities")


def test_billion_laughs_in_utf16_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "bomb16.xml"
    f.write_bytes(
        BILLION_LAUGHS.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")
    )
    _one_line_error(f, "declares entities")


def test_external_file_entity_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    for i, url in enumerate([secret.as_uri(), "file:///etc/passwd"]):
        f = tmp_path / f"xxe{i}.xml"
        f.write_bytes(_external(url))
        message = _one_line_error(f, "refused")
        assert "SECRET" not in message and "root:" not in message


def test_external_http_entity_and_dtd_are_not_fetched(
    tmp_path: Path, http_server: tuple[str, list[str]]
) -> None:
    base, hits = http_server
    f = tmp_path / "xxe-http.xml"
    f.write_bytes(_external(f"{base}/entity"))
    _one_line_error(f, "refused")
    # a DOCTYPE naming an external DTD (as XHTML hOCR does) is fine, but the DTD is never loaded
    g = tmp_path / "dtd.hocr"
    g.write_bytes(
        f"""<?xml version="1.0"?><!DOCTYPE html SYSTEM "{base}/x.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><body><div class='ocr_page' title='bbox 0 0 10 10'>
<span class='ocr_line' title='bbox 0 0 9 9'>hi</span></div></body></html>""".encode()
    )
    assert load_response(g).text == "hi"
    assert hits == []


def test_malformed_xml(tmp_path: Path) -> None:
    f = tmp_path / "broken.xml"
    f.write_bytes(b'<?xml version="1.0"?>\n<PcGts xmlns="x">\n<Page>\n</PcGts>')
    _one_line_error(f, "malformed XML (line 4)")


@pytest.mark.parametrize(
    ("root", "match"),
    [
        ('<alto xmlns="http://www.loc.gov/standards/alto/ns-v9#"/>', "unknown ALTO namespace"),
        (
            '<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2099-07-15"/>',
            "unknown PAGE-XML namespace",
        ),
        ('<svg xmlns="http://www.w3.org/2000/svg"/>', "unknown XML document: root element 'svg'"),
    ],
)
def test_unknown_namespaces_and_documents(tmp_path: Path, root: str, match: str) -> None:
    f = tmp_path / "other.xml"
    f.write_text(root, encoding="utf-8")
    _one_line_error(f, match)


def test_page_for_another_image_size_is_scaled_with_a_reason(tmp_path: Path) -> None:
    """PRImA's 800x600 ground truth on the same page scanned at half size: placed scaled, and said so."""
    small = tmp_path / "half.png"
    Image.open(SAMPLES / "prima-SimplePage.png").resize((400, 300)).save(small)
    result = load_result(SAMPLES / "prima-SimplePage-2017.xml", small)
    assert result.decision.scaled
    assert result.document.pages[0].blocks[1].bbox == pytest.approx((12.5, 30, 200, 150))
    assert any("800x600" in r for r in result.decision.reasons)


def test_page_for_another_aspect_is_a_warning(tmp_path: Path) -> None:
    other = tmp_path / "other.png"
    Image.new("RGB", (500, 700), "white").save(other)
    result = load_result(SAMPLES / "prima-SimplePage-2017.xml", other)
    assert any("800x600" in w for w in result.warnings), result.warnings


def test_cli_prints_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "bomb.xml"
    f.write_bytes(BILLION_LAUGHS)
    out = tmp_path / "out.json"
    assert main(["export", "-r", str(f), "-o", str(out)]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(f) in err and "declares entities" in err
    assert not out.exists()
