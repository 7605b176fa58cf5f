"""Batch recognition of a folder or a PDF against the loopback emulators: manifest, resume, shards, cost."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ocrviewer.core.loading import load_document_result
from ocrviewer.core.sources import open_source
from ocrviewer.providers.base import CancelToken
from ocrviewer.providers.batch import (
    MANIFEST,
    RateLimit,
    TokenBucket,
    parse_rate,
    parse_shard,
    prepare_batch,
    run_batch,
    shard_of,
)
from ocrviewer.providers.settings import load_settings, save_settings
from tests.support.cli import run
from tests.support.documents import make_pdf, make_scan, word_boxes_pt

from .servers import AZURE_KEY, YANDEX_KEY, FakeCloud

FAST = ["--rate", "1000", "--status-rate", "1000"]


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    server = FakeCloud(running_polls=1)
    yield server
    server.close()


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCRVIEWER_YANDEX_API_KEY", YANDEX_KEY)
    monkeypatch.setenv("OCRVIEWER_AZURE_KEY", AZURE_KEY)
    save_settings({"http.poll_interval": 0.01})


@pytest.fixture
def scans(tmp_path: Path) -> Path:
    folder = tmp_path / "scans"
    folder.mkdir()
    for i in range(1, 9):
        make_scan(
            folder / f"scan{i}.png", words=1 + i % 4, size=(400 + 10 * i, 200)
        )  # all different: no cache hits
    return folder


def manifest(outdir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (outdir / MANIFEST).read_text().splitlines()]


def test_a_folder_batch_writes_responses_sidecars_and_a_manifest_then_resumes(
    capsys, cloud: FakeCloud, keys: None, scans: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    code, stdout, err = run(
        capsys, "recognize", scans, "-p", "yandex", "--endpoint", cloud.url, "-o", out, "--yes", *FAST
    )
    assert code == 0, err
    assert "8 page(s) x 1 paid call = 8 paid call(s)" in err
    lines = manifest(out)
    assert [r["input"] for r in lines] == [f"scan{i}.png" for i in range(1, 9)]  # document order
    for r in lines:
        assert r["status"] == "done" and r["calls"] == 1 and r["cache_hit"] is False and r["reason"] is None
        assert r["provider"] == "yandex" and r["options"]["model"] == "page"
        assert (out / r["response"]).is_file() and (out / (r["response"] + ".ocrviewer.json")).is_file()
        assert r["words"] == 1 + int(r["input"][4:-4]) % 4
    # the OUTDIR is the response of the whole folder: every page exports and renders in one go
    code, stdout, err = run(capsys, "export", scans, "--response", out, "-o", tmp_path / "all.json")
    assert code == 0, err
    assert "8 of 8 pages" in stdout and "warning" not in err
    exported = json.loads((tmp_path / "all.json").read_text())
    assert [p["index"] for p in exported["pages"]] == list(range(8))
    code, stdout, err = run(
        capsys, "render", scans, "--response", out, "--page", "all", "-o", tmp_path / "all.pdf"
    )
    assert code == 0, err
    with open_source(tmp_path / "all.pdf") as drawn:
        assert len(drawn.pages) == 8
    code, _, err = run(capsys, "export", scans, "--response", out, "-o", out / "scan1.png.json")
    assert code == 1 and "input" in err  # never over a response of the batch
    uploads = len(cloud.uploads) or len(cloud.requests)
    # a re-run: everything is done, nothing is sent
    code, stdout, err = run(
        capsys, "recognize", scans, "-p", "yandex", "--endpoint", cloud.url, "-o", out, "--yes", *FAST
    )
    assert code == 0 and "8 already done" in err and "0 request(s) sent" in stdout
    assert (len(cloud.uploads) or len(cloud.requests)) == uploads
    assert len(manifest(out)) == 8


def test_a_pdf_batch_page_by_page_on_azure_read_lands_on_each_page(
    capsys, cloud: FakeCloud, keys: None, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    pdf = make_pdf(tmp_path / "doc.pdf", pages=3)
    out = tmp_path / "out"
    code, _, err = run(
        capsys,
        "recognize",
        pdf,
        "-p",
        "azure-read",
        "--endpoint",
        cloud.url,
        "-o",
        out,
        "--yes",
        "--page-by-page",
        *FAST,
    )
    assert code == 0, err
    lines = manifest(out)
    assert [(r["page"], r["dpi"], r["image"]) for r in lines] == [
        (1, 150.0, "doc.pdf"),
        (2, 150.0, "doc.pdf"),
        (3, 150.0, "doc.pdf"),
    ]
    assert all(r["calls"] >= 2 for r in lines)  # the analyze call and at least one poll
    with open_source(pdf) as src:
        result = load_document_result(src, out / lines[2]["response"])
        assert result.covered == (2,)
        page = result.page(2)
        assert page is not None
        left, top, right, bottom = word_boxes_pt(2)[0]
        box = next(page.words()).polygon
        assert abs(box[0][0] - left * 150 / 72) < 3 and abs(box[0][1] - top * 150 / 72) < 3


def test_a_multi_page_tiff_batch_on_azure_read_lands_on_each_page(
    capsys, cloud: FakeCloud, keys: None, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Each page of a TIFF goes as its own request, upright (page 2 is stored turned 90 degrees),
    and its response lands on its page: the manifest and the sidecars say which page."""
    from tests.support.documents import TIFF_PAGES, make_tiff, tiff_word_boxes

    tiff = make_tiff(tmp_path / "scan.tif")
    out = tmp_path / "out"
    code, _, err = run(
        capsys, "recognize", tiff, "-p", "azure-read", "--endpoint", cloud.url, "-o", out, "--yes", *FAST
    )
    assert code == 0, err
    lines = manifest(out)
    assert [(r["input"], r["page"], r["dpi"], r["image"]) for r in lines] == [
        (f"scan.tif#page={i}", i, None, "scan.tif") for i in range(1, 6)
    ]
    sidecar = json.loads((out / (lines[1]["response"] + ".ocrviewer.json")).read_text())
    assert sidecar["extras"]["page"] == 2 and "dpi" not in sidecar["extras"]
    with open_source(tiff) as src:
        for row in lines:
            i = row["page"] - 1
            result = load_document_result(src, out / row["response"])
            assert result.covered == (i,)
            page = result.page(i)
            assert page is not None and (page.width, page.height) == TIFF_PAGES[i][0]
            found = sorted(w.bbox for w in page.words())
            assert len(found) == 3
            for got, want in zip(found, tiff_word_boxes(i), strict=True):
                assert got == pytest.approx(want, abs=3), (i, found)


UPRIGHT_TIFF = (
    ((400, 300), "1", 1, "group4"),
    ((300, 420), "L", 1, "tiff_deflate"),
    ((500, 260), "RGB", 1, None),
)


def test_a_multi_page_tiff_goes_to_azure_read_as_one_document_and_lands_page_by_page(
    capsys, cloud: FakeCloud, keys: None, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Azure Read takes "PDF and TIFF files, up to 2,000 pages": a TIFF whose pages are all stored
    upright goes whole, as it is (one paid call, not one a page), and each page's words land on it."""
    from tests.support.documents import make_tiff, tiff_word_boxes

    tiff = make_tiff(tmp_path / "fax.tif", UPRIGHT_TIFF)
    out = tmp_path / "out"
    code, _, err = run(
        capsys, "recognize", tiff, "-p", "azure-read", "--endpoint", cloud.url, "-o", out, "--yes", *FAST
    )
    assert code == 0, err
    assert "sent as one document: 1 paid call" in err
    assert cloud.uploads == [tiff.read_bytes()]  # the file itself, not re-encoded
    (row,) = manifest(out)
    assert row["input"] == "fax.tif" and row["pages_covered"] == [1, 2, 3] and row["status"] == "done"
    with open_source(tiff) as src:
        result = load_document_result(src, out / row["response"])
        assert result.covered == (0, 1, 2)
        for i, (size, *_) in enumerate(UPRIGHT_TIFF):
            page = result.page(i)
            assert page is not None and (page.width, page.height) == size
            found = sorted(w.bbox for w in page.words())
            for got, want in zip(found, tiff_word_boxes(i), strict=True):
                assert got == pytest.approx(want, abs=3), (i, found)


def test_a_tiff_with_a_turned_or_too_small_page_goes_page_by_page(
    capsys, cloud: FakeCloud, keys: None, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from ocrviewer.providers.base import get_provider
    from ocrviewer.providers.batch import _whole_document_reason
    from tests.support.documents import make_tiff

    turned = make_tiff(tmp_path / "turned.tif", (UPRIGHT_TIFF[0], ((300, 420), "L", 6, None)))
    provider = get_provider("azure-read", {})
    with open_source(turned) as src:
        assert _whole_document_reason(src, "azure-read", provider, {}, None) == (
            "page 2 is stored turned (Orientation 6)"
        )
        assert _whole_document_reason(src, "yandex-async", provider, {}, None) == (
            "yandex-async takes a PDF as one document, not a TIFF"
        )
    tiny = make_tiff(tmp_path / "tiny.tif", (UPRIGHT_TIFF[0], ((40, 30), "L", 1, None)))
    with open_source(tiny) as src:
        assert _whole_document_reason(src, "azure-read", provider, {}, None) == (
            "page 2 is 40x30 pixels; the service takes 50..10000 a side"
        )
    out = tmp_path / "out"
    code, _, err = run(
        capsys, "recognize", turned, "-p", "azure-read", "--endpoint", cloud.url, "-o", out, "--yes", *FAST
    )
    assert code == 0, err
    assert [r["input"] for r in manifest(out)] == ["turned.tif#page=1", "turned.tif#page=2"]
    assert len(cloud.uploads) == 2 and not any(u.startswith(b"II*") for u in cloud.uploads)


def test_four_shards_merged_equal_one_batch(
    capsys, monkeypatch, cloud: FakeCloud, keys: None, scans: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    whole = tmp_path / "whole"
    code, _, err = run(
        capsys, "recognize", scans, "-p", "yandex", "--endpoint", cloud.url, "-o", whole, "--yes", *FAST
    )
    assert code == 0, err
    # shards on other machines: no shared cache
    monkeypatch.setenv("OCRVIEWER_CACHE_DIR", str(tmp_path / "other-cache"))
    shards = [tmp_path / f"shard{i}" for i in range(4)]
    for i, d in enumerate(shards):
        code, _, err = run(
            capsys,
            "recognize",
            scans,
            "-p",
            "yandex",
            "--endpoint",
            cloud.url,
            "-o",
            d,
            "--shard",
            f"{i}/4",
            "--yes",
            *FAST,
        )
        assert code == 0, err
    taken = [len(manifest(d)) for d in shards]
    assert sum(taken) == 8 and max(taken) < 8
    code, _, err = run(capsys, "manifest", "merge", *shards, "-o", tmp_path / "merged.jsonl")
    assert code == 0, err
    code, _, err = run(capsys, "manifest", "merge", whole, "-o", tmp_path / "whole.jsonl")
    assert code == 0, err

    def comparable(path: Path) -> list[dict[str, Any]]:
        rows = [json.loads(x) for x in path.read_text().splitlines()]
        for r in rows:
            r.pop("seconds")
            r["response"] = Path(r["response"]).name
        return rows

    assert comparable(tmp_path / "merged.jsonl") == comparable(tmp_path / "whole.jsonl")
    for r in json.loads("[" + ",".join((tmp_path / "merged.jsonl").read_text().splitlines()) + "]"):
        assert (tmp_path / r["response"]).is_file()


def test_shards_are_stable_and_cover_everything() -> None:
    names = [f"scan{i}.png" for i in range(200)]
    parts = [[n for n in names if shard_of(n, 4) == i] for i in range(4)]
    assert sorted(sum(parts, [])) == sorted(names)
    assert all(20 < len(p) < 80 for p in parts)
    assert shard_of("doc.pdf#page=7", 4) == shard_of("doc.pdf#page=7", 4)
    assert parse_shard("3/4") == (3, 4)
    for bad in ("4/4", "-1/4", "1", "a/b", "0/0"):
        with pytest.raises(Exception, match="--shard"):
            parse_shard(bad)


def test_without_a_terminal_a_paid_batch_needs_yes(
    capsys, monkeypatch, cloud: FakeCloud, keys: None, scans: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    out = tmp_path / "out"
    code, _, err = run(capsys, "recognize", scans, "-p", "yandex", "--endpoint", cloud.url, "-o", out)
    assert code == 1
    assert err.strip().splitlines()[-1] == (
        "ocrviewer: error: this batch calls a paid service; pass --yes to confirm the cost when not on a terminal"
    )
    assert not out.exists() and not cloud.requests


def test_an_outdir_with_other_files_is_refused_untouched(
    capsys, cloud: FakeCloud, keys: None, scans: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    code, _, err = run(
        capsys, "recognize", scans, "-p", "yandex", "--endpoint", cloud.url, "-o", out, "--yes", *FAST
    )
    assert code == 1 and "holds other files (thesis.docx)" in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in out.iterdir()) == ["thesis.docx"] and not cloud.requests


def test_a_manifest_from_another_version_is_refused_untouched(
    capsys, cloud: FakeCloud, keys: None, scans: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    out.mkdir()
    old = '{"schema": "ocrviewer.manifest/0", "input": "scan1.png"}\n'
    (out / MANIFEST).write_text(old)
    code, _, err = run(
        capsys, "recognize", scans, "-p", "yandex", "--endpoint", cloud.url, "-o", out, "--yes", *FAST
    )
    assert code == 1 and "another version" in err and len(err.strip().splitlines()) == 1
    assert (out / MANIFEST).read_text() == old and not cloud.requests


def test_a_bad_page_fails_alone_and_the_batch_goes_on(
    capsys, cloud: FakeCloud, keys: None, scans: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    (scans / "scan5.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    out = tmp_path / "out"
    code, _, err = run(
        capsys, "recognize", scans, "-p", "yandex", "--endpoint", cloud.url, "-o", out, "--yes", *FAST
    )
    assert code == 1
    status = {r["input"]: (r["status"], r["reason"]) for r in manifest(out)}
    assert status["scan5.png"][0] == "failed" and "scan5.png" in status["scan5.png"][1]
    assert "\n" not in status["scan5.png"][1]
    assert sum(s == "done" for s, _ in status.values()) == 7


def test_cancel_stops_cleanly_and_a_rerun_resumes_from_the_cache(
    cloud: FakeCloud, keys: None, scans: Path, tmp_path: Path
) -> None:
    settings = load_settings()
    settings["yandex.ocr_endpoint"] = cloud.url
    from ocrviewer.providers.credentials import CredentialStore
    from ocrviewer.providers.settings import CREDENTIALS

    settings[CREDENTIALS] = CredentialStore()
    out = tmp_path / "out"
    cancel = CancelToken()
    seen: list[str] = []

    def progress(finished: int, total: int, rec: Any) -> None:
        seen.append(rec.input)
        if finished == 3:
            cancel.cancel()

    with open_source(scans) as src:
        bp = prepare_batch(src, out, "yandex", {}, settings, rate=RateLimit(None))
        report = run_batch(bp, settings, jobs=1, cancel=cancel, progress=progress)
        assert report.cancelled
        first = manifest(out)
        # the three finished, and at most the one already started when the cancel came
        assert 3 <= len(first) <= 4 and all(r["status"] == "done" for r in first)
        assert sorted(
            p.name for p in out.iterdir() if p.name.endswith(".json") and "ocrviewer" not in p.name
        ) == sorted(r["response"] for r in first)  # no half-written response of the cancelled input
        bp = prepare_batch(src, out, "yandex", {}, settings, rate=RateLimit(None))
        assert len(bp.skipped) == len(first) and len(bp.to_send) == 8 - len(first)
        report = run_batch(bp, settings, jobs=3)
        assert not report.cancelled and report.count("done") == 8 - len(first)
    assert [r["status"] for r in manifest(out)] == ["done"] * 8


def test_token_bucket_spaces_requests_at_the_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(2.0, clock=lambda: now[0])

    class Clocked(CancelToken):
        def wait(self, seconds: float) -> bool:
            now[0] += seconds
            return False

    token = Clocked()
    times = []
    for _ in range(5):
        bucket.acquire(token)
        times.append(now[0])
    assert times == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0])


def test_rates_parse() -> None:
    assert parse_rate("20/min") == pytest.approx(1 / 3)
    assert parse_rate("2") == 2 and parse_rate("5/s") == 5
    with pytest.raises(Exception, match="rate"):
        parse_rate("fast")


def test_the_rate_limit_bounds_requests_whatever_the_jobs(
    capsys, cloud: FakeCloud, keys: None, scans: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import time

    stamps: list[float] = []
    cloud.on_request = lambda rec: stamps.append(time.monotonic())
    code, _, err = run(
        capsys,
        "recognize",
        scans,
        "-p",
        "yandex",
        "--endpoint",
        cloud.url,
        "-o",
        tmp_path / "o",
        "--yes",
        "--jobs",
        "8",
        "--rate",
        "4/s",
    )
    assert code == 0, err
    assert len(stamps) == 8
    # 8 requests at 4/s with a burst of 1: the last is sent 7/4 s after the first at the earliest (the
    # margin is for arrival jitter on a busy machine; unlimited, 8 jobs would send them all at once)
    assert max(stamps) - min(stamps) >= 1.2


@pytest.mark.slow
def test_the_offline_engine_reads_every_page_of_a_pdf_then_all_pages_export_as_one_pdf(
    capsys, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from reportlab.pdfgen import canvas

    from ocrviewer.providers.local import LocalProvider

    reason = LocalProvider().unavailable_reason()
    if reason:
        pytest.skip(reason)
    pdf = tmp_path / "letters.pdf"
    c = canvas.Canvas(str(pdf), pagesize=(595, 842))
    texts = ["HARBOUR LIGHTS", "MORNING TRAIN"]
    for text in texts:
        c.setFont("Helvetica-Bold", 40)
        c.drawString(60, 700, text)
        c.showPage()
    c.save()
    out = tmp_path / "out"
    code, _, err = run(capsys, "recognize", pdf, "-p", "local", "-o", out, "--jobs", "2")
    assert code == 0, err
    assert "(free)" in err  # a free engine: no confirmation asked
    rows = manifest(out)
    assert [r["status"] for r in rows] == ["done", "done"] and all(r["calls"] == 0 for r in rows)
    for r, text in zip(rows, texts, strict=True):
        with open_source(pdf) as src:
            result = load_document_result(src, out / r["response"])
            page = result.page(r["page"] - 1)
            assert page is not None
            words = " ".join(w.text for w in page.words()).upper()
            assert text.split()[0] in words, words
            # on the page where the PDF drew it: 700 pt from the bottom -> about 142 pt from the top
            top = min(y for w in page.words() for _, y in w.polygon)
            assert 80 * 150 / 72 < top < 150 * 150 / 72
    drawn = tmp_path / "drawn.pdf"
    code, _, err = run(capsys, "render", pdf, "--response", out, "--page", "all", "-o", drawn)
    assert code == 0, err
    with open_source(drawn) as src:
        assert len(src.pages) == 2


@pytest.mark.parametrize("provider", ["yandex-async", "azure-read"])
def test_a_pdf_goes_to_async_services_as_one_document_and_lands_page_by_page(
    capsys, cloud: FakeCloud, keys: None, tmp_path: Path, provider: str
) -> None:  # type: ignore[no-untyped-def]
    pdf = make_pdf(tmp_path / "doc.pdf", pages=3)
    out = tmp_path / "out"
    extra = ["--operation-endpoint", cloud.url] if provider == "yandex-async" else []
    code, _, err = run(
        capsys, "recognize", pdf, "-p", provider, "--endpoint", cloud.url, *extra, "-o", out, "--yes", *FAST
    )
    assert code == 0, err
    assert "sent as one document: 1 paid call" in err
    assert len(cloud.uploads) == 1 and cloud.uploads[0].startswith(b"%PDF")
    (row,) = manifest(out)
    assert row["input"] == "doc.pdf" and row["pages_covered"] == [1, 2, 3] and row["status"] == "done"
    with open_source(pdf) as src:
        result = load_document_result(src, out / row["response"])
        assert result.covered == (0, 1, 2)
        for i in range(3):
            page = result.page(i)
            assert page is not None
            left, top, _, _ = word_boxes_pt(i)[0]
            x, y = next(page.words()).polygon[0]
            assert abs(x - left * 150 / 72) < 3 and abs(y - top * 150 / 72) < 3, (i, x, y)
    # a re-run sends nothing
    code, stdout, err = run(
        capsys, "recognize", pdf, "-p", provider, "--endpoint", cloud.url, *extra, "-o", out, "--yes", *FAST
    )
    assert code == 0 and len(cloud.uploads) == 1 and "0 request(s) sent" in stdout


def test_pages_a_whole_document_response_leaves_out_are_sent_one_by_one(
    capsys, cloud: FakeCloud, keys: None, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    cloud.azure_pdf_pages = 2  # Azure's free tier reads the first two pages of a PDF
    pdf = make_pdf(tmp_path / "doc.pdf", pages=4)
    out = tmp_path / "out"
    code, _, err = run(
        capsys, "recognize", pdf, "-p", "azure-read", "--endpoint", cloud.url, "-o", out, "--yes", *FAST
    )
    assert code == 0, err
    rows = manifest(out)
    assert [(r["input"], r["status"]) for r in rows] == [
        ("doc.pdf", "done"),
        ("doc.pdf#page=3", "done"),
        ("doc.pdf#page=4", "done"),
    ]
    assert rows[0]["pages_covered"] == [1, 2] and "covers 2 of 4 pages" in rows[0]["reason"]
    assert len(cloud.uploads) == 3 and not cloud.uploads[1].startswith(b"%PDF")


def test_an_outdir_lists_its_pages_worst_first(
    capsys, cloud: FakeCloud, keys: None, scans: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from ocrviewer.providers.batch import outdir_pages

    (scans / "scan2.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    out = tmp_path / "out"
    run(capsys, "recognize", scans, "-p", "azure-read", "--endpoint", cloud.url, "-o", out, "--yes", *FAST)
    # make one page's words less sure than the others (Azure Read answers 0.97 everywhere here)
    resp = out / "scan6.png.json"
    data = json.loads(resp.read_text())
    data["analyzeResult"]["readResults"][0]["lines"][0]["words"][0]["confidence"] = 0.21
    resp.write_text(json.dumps(data))
    pages = outdir_pages(out)
    assert [p.input for p in pages[:2]] == ["scan2.png", "scan6.png"]
    assert (
        pages[0].status == "failed"
        and pages[1].worst is not None
        and pages[1].worst[1] == pytest.approx(0.21)
    )
    assert len(pages) == 8 and all(p.mean_confidence is not None for p in pages[1:])
    code, stdout, _ = run(capsys, "manifest", "list", out, "--limit", "2")
    assert code == 0
    lines = stdout.strip().splitlines()
    assert len(lines) == 2 and "failed" in lines[0] and "0.21" in lines[1]


def test_a_whole_document_outdir_lists_each_page(
    capsys, cloud: FakeCloud, keys: None, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from ocrviewer.providers.batch import outdir_pages

    pdf = make_pdf(tmp_path / "doc.pdf", pages=3)
    out = tmp_path / "out"
    code, _, err = run(
        capsys, "recognize", pdf, "-p", "azure-read", "--endpoint", cloud.url, "-o", out, "--yes", *FAST
    )
    assert code == 0, err
    assert sorted(p.index for p in outdir_pages(out)) == [0, 1, 2]


def test_ctrl_c_stops_a_batch_with_130_and_the_same_command_resumes(
    capsys, cloud: FakeCloud, keys: None, scans: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import signal

    out = tmp_path / "out"
    posts = []

    def on_request(rec: Any) -> None:
        posts.append(rec)
        if len(posts) == 4:  # the fourth upload: three inputs are done, one is in flight: Ctrl-C now
            os.kill(os.getpid(), signal.SIGINT)

    cloud.on_request = on_request
    argv = [
        "recognize",
        scans,
        "-p",
        "yandex",
        "--endpoint",
        cloud.url,
        "-o",
        out,
        "--yes",
        "--jobs",
        "1",
        "--rate",
        "4/s",
    ]
    code, stdout, err = run(capsys, *argv)
    assert code == 130, err
    assert "run the same command again to resume" in err
    first = manifest(out)
    assert 3 <= len(first) < 8 and all(r["status"] == "done" for r in first)
    responses = {p.name for p in out.iterdir() if p.name.endswith(".png.json")}
    assert responses == {r["response"] for r in first}  # nothing half written for the cancelled input
    cloud.on_request = None
    code, stdout, err = run(capsys, *argv)
    assert code == 0, err
    assert f"{len(first)} already done" in err
    # the input in flight at Ctrl-C may have had its answer back and cached before the run stopped: the
    # resumed run then takes it from the cache (not sent, not paid for twice) and records it "cached"
    statuses = [r["status"] for r in manifest(out)]
    assert len(statuses) == 8 and set(statuses) <= {"done", "cached"} and statuses.count("cached") <= 1, (
        statuses
    )


def test_batch_options_on_one_image_are_one_line(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    image = make_scan(tmp_path / "one.png")
    code, _, err = run(capsys, "recognize", image, "-p", "local", "--shard", "0/2", "-o", tmp_path / "r.json")
    assert (
        code == 1
        and "apply to a folder, a PDF or a multi-page TIFF" in err
        and len(err.strip().splitlines()) == 1
    )


def test_a_failed_whole_document_falls_back_to_pages_and_is_not_sent_again(
    capsys, cloud: FakeCloud, keys: None, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from .servers import Reply

    cloud.script(
        "POST",
        "/vision/v3.2/read/analyze",
        Reply(400, {"error": {"code": "InvalidImage", "message": "too big"}}),
    )
    pdf = make_pdf(tmp_path / "doc.pdf", pages=2)
    out = tmp_path / "out"
    argv = ["recognize", pdf, "-p", "azure-read", "--endpoint", cloud.url, "-o", out, "--yes", *FAST]
    code, _, err = run(capsys, *argv)
    assert code == 1  # one failed line (the document) is in the manifest
    rows = manifest(out)
    assert [(r["input"], r["status"]) for r in rows] == [
        ("doc.pdf", "failed"),
        ("doc.pdf#page=1", "done"),
        ("doc.pdf#page=2", "done"),
    ]
    assert "its pages are sent one by one" in rows[0]["reason"]
    uploads = len(cloud.uploads)
    code, _, err = run(capsys, *argv)
    assert len(cloud.uploads) == uploads and "2 already done" in err


def test_the_plan_knows_what_the_cache_will_answer_per_endpoint(
    cloud: FakeCloud, keys: None, scans: Path, tmp_path: Path
) -> None:
    """The plan finds cached pages without preparing them; another endpoint's answers are not reused."""
    from ocrviewer.providers.credentials import CredentialStore
    from ocrviewer.providers.settings import CREDENTIALS

    settings = load_settings()
    settings["yandex.ocr_endpoint"] = cloud.url
    settings[CREDENTIALS] = CredentialStore()
    with open_source(scans) as src:
        bp = prepare_batch(src, tmp_path / "first", "yandex", {}, settings, rate=RateLimit(None))
        assert bp.cached == [] and len(bp.to_send) == 8
        run_batch(bp, settings, jobs=2)
        sent = len(cloud.requests)
        again = prepare_batch(src, tmp_path / "again", "yandex", {}, settings, rate=RateLimit(None))
        assert len(again.cached) == 8 and again.to_send == [] and "8 from the cache" in again.cost_line()
        report = run_batch(again, settings, jobs=2)
        assert report.count("cached") == 8 and len(cloud.requests) == sent
        other = FakeCloud(texts=["word"])
        try:
            elsewhere = {**settings, "yandex.ocr_endpoint": other.url}
            bp = prepare_batch(src, tmp_path / "other", "yandex", {}, elsewhere, rate=RateLimit(None))
            assert bp.cached == [] and len(bp.to_send) == 8
            assert run_batch(bp, elsewhere, jobs=2).count("done") == 8 and len(other.uploads) == 8
        finally:
            other.close()


def test_waiting_for_the_rate_limit_does_not_count_against_a_files_time_limit(
    capsys, cloud: FakeCloud, keys: None, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Three files at 1 request a second with a 2 s limit each: the third waits ~2 s for its turn.
    That wait counted against its limit, so it failed 'did not finish within 2 s' before it was sent."""
    save_settings({"http.poll_interval": 0.01, "http.total_timeout": 2.0})
    folder = tmp_path / "scans"
    folder.mkdir()
    for i in range(1, 4):
        make_scan(folder / f"scan{i}.png", words=i, size=(400 + 10 * i, 200))
    args = ["recognize", folder, "-p", "yandex", "--endpoint", cloud.url, "-o", tmp_path / "o", "--yes"]
    code, _, err = run(capsys, *args, "--jobs", "3", "--rate", "0.6/s")
    assert code == 0, err
    assert [r["status"] for r in manifest(tmp_path / "o")] == ["done"] * 3


@pytest.mark.parametrize("name", ["doc.json", "DOC.JSON"])
def test_recognize_on_a_pdf_with_o_naming_a_json_file_asks_for_a_folder(
    capsys, cloud: FakeCloud, keys: None, tmp_path: Path, name: str
) -> None:  # type: ignore[no-untyped-def]
    """One response per page cannot go to one file: a folder named like a .json file would
    surprise whoever looks for that file; nothing is sent and nothing is made."""
    pdf = make_pdf(tmp_path / "doc.pdf", pages=2)
    out = tmp_path / name
    code, _, err = run(
        capsys, "recognize", pdf, "-p", "azure-read", "--endpoint", cloud.url, "-o", out, "--yes", *FAST
    )
    assert code != 0 and "give -o a folder" in err and f"-o {out.with_suffix('')}" in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists() and not cloud.requests
