"""Download FDA's quarterly FAERS/LAERS ASCII zips (``faers download``) and keep the warehouse current
(``faers update``): resumable, verified downloads with a manifest, then load, rebuild and a signal change log.
"""

from faers.download.downloader import DownloadReport, QuarterResult, download_quarters
from faers.download.fetch import DownloadError, NotPublishedError, RetryPolicy, fetch
from faers.download.manifest import Manifest, ManifestEntry
from faers.download.quarters import latest_possible, resolve_range
from faers.download.verify import CorruptZipError, sha256_file, verify_zip
from loaders.quarters import DEFAULT_BASE_URL, Quarter, QuarterError

__all__ = [
    "DEFAULT_BASE_URL",
    "CorruptZipError",
    "DownloadError",
    "DownloadReport",
    "Manifest",
    "ManifestEntry",
    "NotPublishedError",
    "Quarter",
    "QuarterError",
    "QuarterResult",
    "RetryPolicy",
    "download_quarters",
    "fetch",
    "latest_possible",
    "resolve_range",
    "sha256_file",
    "verify_zip",
]
