"""The bare-CDK baseline as a command: `python -m benchmarks.baseline_source read --config C --catalog K`."""

import sys
from pathlib import Path

from airbyte_cdk.entrypoint import launch
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource

MANIFEST = Path(__file__).with_name("baseline_manifest.yaml")


def main() -> None:
    args = sys.argv[1:]
    paths = {flag: args[args.index(flag) + 1] for flag in ("--config", "--catalog", "--state") if flag in args}
    source = YamlDeclarativeSource(
        str(MANIFEST),
        catalog=YamlDeclarativeSource.read_catalog(paths["--catalog"]) if "--catalog" in paths else None,
        config=YamlDeclarativeSource.read_config(paths["--config"]) if "--config" in paths else None,
        state=YamlDeclarativeSource.read_state(paths["--state"]) if "--state" in paths else None,
    )
    launch(source, args)


if __name__ == "__main__":
    main()
