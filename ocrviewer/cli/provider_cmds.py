"""``ocrviewer recognize``, ``providers`` and ``credentials``: running OCR services from the shell."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from ocrviewer.cli.interruptible import run_interruptible
from ocrviewer.core.output import is_stdout
from ocrviewer.errors import BadInput, OcrViewerError
from ocrviewer.providers.base import (
    DEFAULT_PROVIDER,
    CancelToken,
    provider_names,
)
from ocrviewer.providers.credentials import ENV_VARS, GROUPS, CredentialStore, group_of
from ocrviewer.providers.readiness import probe_providers
from ocrviewer.providers.settings import CREDENTIALS, load_settings, save_settings

#: Which setting ``--endpoint`` / ``--operation-endpoint`` set, by credential group.
ENDPOINT_SETTING = {"yandex": "yandex.ocr_endpoint", "azure": "azure.endpoint"}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "recognize",
        help="send an image to an OCR service and save its raw response and a sidecar",
        description="Send the displayed image (EXIF applied, fitted to the service's limits) to a "
        "provider; save the response exactly as received to RESP and RESP.ocrviewer.json beside it. "
        "A cached result for the same image, provider and options is reused unless --fresh. "
        "A folder of images, a PDF or a multi-page TIFF is a batch: one response per page in OUTDIR, and "
        "OUTDIR/manifest.jsonl.",
    )
    p.add_argument(
        "image",
        metavar="IMAGE|DIR|DOC.pdf",
        help="a photo or scan; a folder of images, a PDF or a multi-page TIFF is a batch (-o names an OUTDIR)",
    )
    p.add_argument(
        "--provider",
        "-p",
        default=DEFAULT_PROVIDER,
        choices=provider_names(),
        metavar="NAME",
        help=f"{', '.join(provider_names())} (default {DEFAULT_PROVIDER}; 'ocrviewer providers' says which "
        "are ready here)",
    )
    p.add_argument(
        "--model", help="model (Yandex: page, handwritten, table...; Azure Read 3.2: model version)"
    )
    p.add_argument("--lang", metavar="CODES", help="languages, comma-separated (ru,en); * or empty detects")
    p.add_argument("--api-version", metavar="V", help="Azure Read: 2.0, 2.1 or 3.2 (default)")
    p.add_argument("--mode", choices=("Printed", "Handwritten"), help="Azure Read 2.0 text mode")
    p.add_argument("--reading-order", choices=("basic", "natural"), help="Azure Read 3.2 reading order")
    p.add_argument("--data-logging", action="store_true", help="Yandex: allow the service to log the request")
    p.add_argument("--endpoint", metavar="URL", help="service base URL (Azure: your resource's endpoint)")
    p.add_argument("--operation-endpoint", metavar="URL", help="Yandex operation service base URL")
    p.add_argument(
        "--fresh", action="store_true", help="do not reuse a cached result (the new one is cached)"
    )
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    p.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="send the key to a plain http:// endpoint on another host (unencrypted; trusted networks only)",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="RESP|OUTDIR",
        help="where to save the raw response (a batch: a folder; - is standard output, without a sidecar)",
    )
    from ocrviewer.cli.batch_cmds import add_batch_arguments

    add_batch_arguments(p)
    p.set_defaults(func=cmd_recognize)

    p = sub.add_parser(
        "providers",
        help="list OCR providers and whether each is ready (or why not)",
        description="List every OCR provider: ready, or what is missing and what to do (a key to store with "
        "'ocrviewer credentials set', a package or program to install).",
    )
    p.set_defaults(func=cmd_providers)

    p = sub.add_parser(
        "credentials",
        help="store or delete a provider's key in the system keyring",
        description="Store or delete a provider's key in the system keyring (a Secret Service such as GNOME "
        "Keyring or KWallet, the macOS Keychain, the Windows Credential Locker). Where there is none, "
        "'set' says so in one line and writes the key nowhere: use the environment variables instead.",
    )
    csub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    s = csub.add_parser(
        "set",
        help="store a key (read without echo, or from stdin when it is not a terminal)",
        description="Store a secret in the system keyring (service 'ocrviewer'). Environment variables "
        + ", ".join(sorted(set(ENV_VARS.values())))
        + " override stored values.",
    )
    s.add_argument("provider", metavar="PROVIDER", help="yandex or azure (or any of their provider names)")
    s.add_argument(
        "--iam-token", action="store_true", help="Yandex: the secret is an IAM token, not an API key"
    )
    s.add_argument("--folder-id", metavar="ID", help="Yandex: folder ID used with an IAM token")
    s.add_argument("--endpoint", metavar="URL", help="Azure: your resource's endpoint (saved in settings)")
    s.set_defaults(func=cmd_credentials_set)
    d = csub.add_parser(
        "delete",
        help="forget every stored secret of a provider",
        description="Delete every secret stored for a provider from the system keyring.",
    )
    d.add_argument("provider", metavar="PROVIDER", help="yandex or azure (or any of their provider names)")
    d.set_defaults(func=cmd_credentials_delete)


def _notify(message: str) -> None:
    print(f"ocrviewer: {message}", file=sys.stderr)


def runtime_settings(args: argparse.Namespace | None = None, provider: str | None = None) -> dict[str, Any]:
    """Saved settings, overridden by command-line endpoints, with a credential store attached."""
    settings: dict[str, Any] = load_settings()
    if args is not None and provider is not None:
        group = GROUPS.get(provider)
        if getattr(args, "endpoint", None):
            if group is None:
                raise BadInput(f"--endpoint does not apply to provider {provider!r}")
            settings[ENDPOINT_SETTING[group]] = args.endpoint
        if getattr(args, "operation_endpoint", None):
            if group != "yandex":
                raise BadInput("--operation-endpoint applies only to the Yandex providers")
            settings["yandex.operation_endpoint"] = args.operation_endpoint
    if getattr(args, "allow_insecure_http", False):
        settings["http.allow_insecure"] = True
    settings[CREDENTIALS] = CredentialStore(notify=_notify)
    return settings


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options = {
        "model": args.model,
        "languages": args.lang,
        "api_version": args.api_version,
        "mode": args.mode,
        "reading_order": args.reading_order,
        "data_logging": True if args.data_logging else None,
    }
    return {k: v for k, v in options.items() if v is not None}


class _Progress:
    """Progress lines on stderr, each distinct message once."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = ""

    def __call__(self, fraction: float | None, message: str) -> None:
        if message == self.last:
            return
        self.last = message
        pct = f"{fraction * 100:3.0f}% " if fraction is not None else "     "
        print(f"ocrviewer: {pct}{message}", file=self.stream, flush=True)


def cmd_recognize(args: argparse.Namespace) -> int:
    from ocrviewer.providers.run import RunOutcome, recognize_file

    settings = runtime_settings(args, args.provider)
    from ocrviewer.core.document_pages import is_document_path

    if is_document_path(args.image):
        from ocrviewer.cli.batch_cmds import cmd_batch

        if is_stdout(args.output):
            raise BadInput(
                f"{args.image}: a folder, PDF or multi-page TIFF is a batch of responses; give -o a folder, not standard output"
            )
        out = Path(args.output) if args.output else None
        if out is not None and out.suffix.lower() == ".json" and not out.is_dir():
            raise BadInput(
                f"{args.image}: a folder, PDF or multi-page TIFF gives one response per page; give -o a "
                f"folder (e.g. -o {out.with_suffix('')}), not the file {out.name}"
            )

        return cmd_batch(args, settings, _options(args))
    if args.shard or args.page_by_page:
        raise BadInput(
            f"{args.image}: --shard and --page-by-page apply to a folder, a PDF or a multi-page TIFF, not one image"
        )
    cancel = CancelToken()

    def work() -> RunOutcome:
        return recognize_file(
            args.image,
            args.provider,
            _options(args),
            settings,
            cancel=cancel,
            progress=_Progress(sys.stderr),
            out_path=args.output,
            use_cache=not args.no_cache,
            fresh=args.fresh,
        )

    # Ctrl-C cancels: waits wake at once, and no file is written after a cancel
    ran = run_interruptible(work, cancel, "ocrviewer-recognize", grace_s=5.0)
    if ran.interrupted:
        print("ocrviewer: cancelled", file=sys.stderr)
        return 130
    err = ran.error
    if err is not None:
        if isinstance(err, (OcrViewerError, KeyboardInterrupt, SystemExit)) or not isinstance(err, Exception):
            raise err
        # a bug met on the way (a service's answer no check foresaw): one line, as a batch records it
        from ocrviewer.providers.batch import failure_reason
        from ocrviewer.providers.http import Scrubber

        raise OcrViewerError(failure_reason(err, Scrubber(settings[CREDENTIALS].secrets()))) from None
    outcome = ran.value
    assert outcome is not None
    counts = outcome.document.counts()
    origin = "from the cache" if outcome.from_cache else f"request id {outcome.sidecar.request_id or 'none'}"
    to_stdout = is_stdout(args.output)
    where = "standard output" if to_stdout else outcome.response_path
    sidecar = (
        "no sidecar (the response went to standard output)"
        if to_stdout
        else f"sidecar {outcome.response_path}.ocrviewer.json"
    )
    print(f"wrote {where}: {counts['word']} words, {counts['line']} lines ({origin}); {sidecar}")
    from ocrviewer.cli.core_cmds import note_frames

    note_frames(args.image)
    return 0


def cmd_providers(args: argparse.Namespace) -> int:
    settings = runtime_settings()
    width = max(map(len, provider_names()))
    for name, status in probe_providers(settings).items():
        title = getattr(status.provider, "title", name)
        print(f"{name:<{width}}  {title}: {status.describe()}")
    store = settings[CREDENTIALS]
    problem = store.keyring_problem()
    if problem is None:
        print(f"secrets are kept in {store.where()}; OCRVIEWER_* environment variables override them")
    else:
        why = "" if problem.startswith("backend ") else f" ({problem})"  # a locked or missing login keyring
        print(f"no usable system keyring{why}: give secrets with the OCRVIEWER_* environment variables")
    return 0


def _read_secret(prompt: str, stdin: TextIO) -> str:
    if stdin.isatty():
        return getpass.getpass(prompt)
    return stdin.readline().strip()


def cmd_credentials_set(args: argparse.Namespace) -> int:
    group = group_of(args.provider)
    if group != "yandex" and (args.iam_token or args.folder_id):
        raise BadInput("--iam-token and --folder-id apply only to Yandex")
    if group != "azure" and args.endpoint:
        raise BadInput("--endpoint applies only to Azure here; Yandex endpoints have public defaults")
    store = CredentialStore(notify=_notify)
    field, label = {
        ("yandex", False): ("api_key", "Yandex API key"),
        ("yandex", True): ("iam_token", "Yandex IAM token"),
        ("azure", False): ("key", "Azure key"),
    }[(group, bool(args.iam_token))]
    problem = store.keyring_problem()
    if problem and not args.endpoint:  # said before the secret is typed, and nothing kept anywhere
        raise BadInput(_no_keyring_line(label, group, field, problem))
    secret = _read_secret(f"{label}: ", sys.stdin)
    extra = bool(args.folder_id or args.endpoint)
    if not secret and not extra:
        raise BadInput(f"no {label} given; nothing stored")
    where = ""
    if secret and not problem:
        where = store.set(group, field, secret)
        print(f"stored the {label} in {where}")
    if args.folder_id and not problem:
        print(f"stored the Yandex folder ID in {store.set('yandex', 'folder_id', args.folder_id)}")
    if args.endpoint:
        from ocrviewer.providers.http import check_endpoint

        try:
            url = check_endpoint(args.endpoint, "the Azure endpoint")
        except OcrViewerError as err:
            raise BadInput(str(err)) from err
        print(f"saved the Azure endpoint in {save_settings({'azure.endpoint': url})}")
    if problem and (secret or args.folder_id):
        raise BadInput(_no_keyring_line(label, group, field, problem))
    return 0


def _no_keyring_line(label: str, group: str, field: str, problem: str) -> str:
    return (
        f"no usable system keyring ({problem}): the {label} was not stored, neither there nor in a file; "
        f"start or unlock GNOME Keyring or KWallet (a Secret Service), or set {ENV_VARS[(group, field)]} "
        "in the environment instead"
    )


def cmd_credentials_delete(args: argparse.Namespace) -> int:
    group = group_of(args.provider)
    store = CredentialStore(notify=_notify)
    deleted = [name for (g, name) in ENV_VARS if g == group and store.delete(g, name)]
    if deleted:
        print(f"deleted {', '.join(n.replace('_', ' ') for n in deleted)} for {group}")
    else:
        print(f"nothing stored for {group}")
    overriding = [var for (g, _), var in ENV_VARS.items() if g == group and var in os.environ]
    if overriding:
        print(f"note: {', '.join(overriding)} still set in the environment")
    return 0
