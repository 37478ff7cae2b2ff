"""Imported by warm_start's forkserver alone, before it forks a child: the CDK's component schema read and the
connector's manifest validated there once (cdk_seams.validate_each_manifest_once), so no child does either again
(~0.15 s of CPU each, over ~180 connector runs in `make test`)."""

from source_usage import cdk_seams
from source_usage.source import SourceUsage

cdk_seams.validate_each_manifest_once()
SourceUsage()  # built once: its manifest validated
