"""Frozen settings, built once from arguments, the environment and a TOML file.

Nothing reads the environment after start-up; workers receive the settings
they need inside their job, so a pool or a Celery worker behaves the same.

Precedence, highest first: command-line arguments, ``SCANPIPE_*`` variables,
the settings file (``--config``, ``$SCANPIPE_CONFIG`` or
``$SCANPIPE_HOME/scanpipe.toml``), defaults. The file is the only practical
place for a list of inboxes with their own defaults, which is why it exists.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from scanpipe.errors import ExitCode, ScanpipeError

# Measured on the corpora (docs/benchmarks.md): the Devanagari script model reads
# Hindi and English better than hin+eng and in about half the time.
DEFAULT_LANGS = "Devanagari"
CONFIG_NAME = "scanpipe.toml"


class ConfigError(ScanpipeError):
    """The settings file is unreadable or holds an unknown key or a wrong type.

    Unknown keys are errors, not warnings: a misspelt ``stability_s`` silently
    falling back to its default is how half-copied scans get converted.
    """

    exit_code = ExitCode.BAD_ARGS


@dataclass(frozen=True)
class OcrSettings:
    """What a page worker needs; small and picklable."""

    langs: str = DEFAULT_LANGS
    target_dpi: int = 300
    min_dpi: int = 200  # images below this are upscaled to target_dpi
    max_pixels: int = 120_000_000  # decompression-bomb cap per page
    psm: int = 3
    timeout_s: float = 300.0
    review_confidence: float = 70.0  # mean word confidence below this -> review
    rotate: int | None = None  # force a quarter turn (intake retry), else detect
    engine: str = "tesseract"  # or "module:Class" implementing ocr.engine.OcrEngine
    # Lines that hold a file number are read again with this model ("" = never): the
    # Devanagari model loses Latin head letters and Roman sub-file numerals (ocr/reread.py).
    reread_langs: str = "eng"
    # What the engine is handed (ocr/binarise.py): "sauvola" (the flattened grey of
    # Sauvola's ink, white elsewhere) or "flattened" (the page divided by its paper).
    binarise: str = "sauvola"
    # Pages whose text-like ink did not all produce words are read again with other
    # settings (ocr/reading.py); off, they go straight to review.
    fallback: bool = True
    # Doubtful Devanagari pages are read again with this model and each line keeps the
    # surer reading (ocr/second_model.py); "" = never.
    second_langs: str = "hin"
    # PDF pages with a verified text layer use it instead of OCR (ocr/layer_triage.py);
    # off (``--force-ocr``, a retry), every page is rasterised and read.
    text_layer: bool = True


@dataclass(frozen=True)
class InboxSettings:
    """One hot folder and what every file dropped into it is declared to be.

    ``langs`` overrides the OCR languages for this inbox only (an English-only
    section, say); the other fields become the file's declared metadata.
    """

    path: Path
    office: str | None = None
    section: str | None = None
    operator: str | None = None
    part: str | None = None
    langs: str | None = None


@dataclass(frozen=True)
class WatchSettings:
    """Timings and limits of the hot-folder watcher (docs/hot-folders.md explains each)."""

    inboxes: tuple[InboxSettings, ...] = ()
    stability_s: float = 3.0  # size and mtime unchanged this long -> the copy is finished
    batch_idle_s: float = 120.0  # a batch folder without a marker is complete after this
    max_age_s: float = 3600.0  # still not stable or not readable after this -> failed/
    rescan_s: float = 30.0  # full rescan even when file-system events arrive
    poll_s: float = 2.0  # rescan interval when polling (network mounts)
    polling: str = "auto"  # auto | always | never
    min_free_mb: int = 1024  # intake pauses below this much free space in the data folder
    max_attempts: int = 3  # retryable failures (disk full, timeouts) before failed/
    retry_after_s: float = 30.0  # wait before retrying a retryable failure
    markers: tuple[str, ...] = ("READY", "READY.txt", ".done", "DONE")


@dataclass(frozen=True)
class MailSettings:
    """The SMTP server notifications go through; ``host = ""`` keeps mail off (in-app only).

    ``tls``: ``starttls`` (port 587), ``ssl`` (port 465) or ``none`` (a relay on the
    office network, port 25). ``base_url`` is how officers reach the web app, for the
    link in each mail.
    """

    host: str = ""
    port: int = 25
    tls: str = "none"
    user: str = ""
    password: str = ""
    sender: str = "scanpipe@localhost"
    base_url: str = "http://localhost:8080"
    timeout_s: float = 10.0


@dataclass(frozen=True)
class Settings:
    home: Path
    db_url: str
    jobs: int
    ocr: OcrSettings = field(default_factory=OcrSettings)
    watch: WatchSettings = field(default_factory=WatchSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    # Whether this deployment may hold files graded above normal. The e-Office manual
    # keeps classified papers out of e-Office; a records room digitising for it sets
    # ``hold_classified = false`` and the registry refuses such a grading (docs/access.md).
    hold_classified: bool = True

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def work_dir(self) -> Path:
        return self.home / "work"

    @property
    def failed_dir(self) -> Path:
        return self.home / "failed"

    def with_ocr(self, **changes: object) -> Settings:
        return replace(self, ocr=replace(self.ocr, **changes))

    def with_watch(self, **changes: object) -> Settings:
        return replace(self, watch=replace(self.watch, **changes))


def config_path(home: Path, config: str | Path | None = None) -> Path | None:
    """The settings file to read, or None when there is none (it is optional)."""
    if config:
        return Path(config)
    if os.environ.get("SCANPIPE_CONFIG"):
        return Path(os.environ["SCANPIPE_CONFIG"])
    default = home / CONFIG_NAME
    return default if default.is_file() else None


def read_config(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(
            f"cannot read the settings file: {exc.strerror}",
            advice="check the --config path or SCANPIPE_CONFIG",
            path=path,
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"the settings file is not valid TOML: {exc}",
            advice="fix the line named above (docs/hot-folders.md has an example)",
            path=path,
        ) from exc


def _typed(cls: type, table: dict[str, Any], where: str, path: Path) -> dict[str, Any]:
    """Check ``table`` against the dataclass fields of ``cls``; convert lists to tuples."""
    known = {f.name: f for f in fields(cls)}
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in known or key in ("inboxes", "path"):
            raise ConfigError(
                f"unknown setting {key!r} in [{where}]",
                advice=f"known settings: {', '.join(sorted(set(known) - {'inboxes', 'path'}))}",
                path=path,
            )
        default = known[key].default
        if isinstance(value, list):
            value = tuple(str(v) for v in value)
        elif isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        expected = type(default) if default is not None else (str, int)
        if not isinstance(value, expected) or isinstance(value, bool) != isinstance(default, bool):
            raise ConfigError(
                f"setting {key!r} in [{where}] has the wrong type ({type(value).__name__})",
                advice=f"write it like the default: {key} = {default!r}",
                path=path,
            )
        out[key] = value
    return out


def _inboxes(items: list[Any], path: Path) -> tuple[InboxSettings, ...]:
    inboxes = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise ConfigError(
                "every [[inbox]] needs a path",
                advice='add path = "/srv/scans/inbox" to each [[inbox]] table',
                path=path,
            )
        rest = {k: v for k, v in item.items() if k != "path"}
        for key, value in rest.items():
            if key not in {f.name for f in fields(InboxSettings)} or not isinstance(value, str):
                raise ConfigError(
                    f"unknown or non-text inbox setting {key!r}",
                    advice="inbox settings are path, office, section, operator, part, langs",
                    path=path,
                )
        # A relative inbox path is relative to the settings file, not to the working dir.
        inboxes.append(InboxSettings(path=path.absolute().parent / item["path"], **rest))
    return tuple(inboxes)


def apply_config(settings: Settings, data: dict[str, Any], path: Path) -> Settings:
    """Settings with the file's values; the caller re-applies arguments and variables."""
    unknown = set(data) - {"jobs", "db_url", "hold_classified", "ocr", "watch", "inbox", "mail"}
    if unknown:
        raise ConfigError(
            f"unknown section or setting {sorted(unknown)[0]!r}",
            advice="top level: jobs, db_url, hold_classified, [ocr], [watch], [[inbox]], [mail]",
            path=path,
        )
    if "mail" in data:
        mail = replace(settings.mail, **_typed(MailSettings, data["mail"], "mail", path))
        if mail.tls not in ("none", "starttls", "ssl"):
            raise ConfigError(
                f"mail tls must be none, starttls or ssl, not {mail.tls!r}",
                advice='tls = "starttls"',
                path=path,
            )
        settings = replace(settings, mail=mail)
    if "hold_classified" in data:
        if not isinstance(data["hold_classified"], bool):
            raise ConfigError(
                "hold_classified must be true or false", advice="hold_classified = false", path=path
            )
        settings = replace(settings, hold_classified=data["hold_classified"])
    if "jobs" in data:
        if not isinstance(data["jobs"], int) or data["jobs"] < 1:
            raise ConfigError("jobs must be a whole number ≥ 1", advice="jobs = 2", path=path)
        settings = replace(settings, jobs=data["jobs"])
    if "db_url" in data:
        settings = replace(settings, db_url=str(data["db_url"]))
    settings = settings.with_ocr(**_typed(OcrSettings, data.get("ocr", {}), "ocr", path))
    settings = settings.with_watch(**_typed(WatchSettings, data.get("watch", {}), "watch", path))
    if data.get("inbox"):
        settings = settings.with_watch(inboxes=_inboxes(data["inbox"], path))
    if settings.watch.polling not in ("auto", "always", "never"):
        raise ConfigError(
            f"polling must be auto, always or never, not {settings.watch.polling!r}",
            advice='polling = "auto"',
            path=path,
        )
    return settings


def load_settings(
    home: str | Path | None = None,
    jobs: int | None = None,
    langs: str | None = None,
    config: str | Path | None = None,
) -> Settings:
    """Build settings from arguments, then ``SCANPIPE_*`` variables, then the file, then
    defaults."""
    home_path = Path(home or os.environ.get("SCANPIPE_HOME") or "scanpipe-data").absolute()
    settings = Settings(
        home=home_path,
        db_url=f"sqlite:///{home_path / 'registry.sqlite3'}",
        jobs=os.cpu_count() or 1,
    )
    path = config_path(home_path, config)
    if path is not None:
        settings = apply_config(settings, read_config(path), path)
    if os.environ.get("SCANPIPE_DB_URL"):
        settings = replace(settings, db_url=os.environ["SCANPIPE_DB_URL"])
    n_jobs = jobs or int(os.environ.get("SCANPIPE_JOBS", "0"))
    if n_jobs:
        settings = replace(settings, jobs=max(1, n_jobs))
    chosen = langs or os.environ.get("SCANPIPE_LANGS")
    if chosen:
        settings = settings.with_ocr(langs=chosen)
    return settings
