"""The config file: every setting read, every bad value named with the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubetui.config import (DEFAULT_LOG_BUFFER, DEFAULT_SCALE_CEILING, ConfigFileError,
                            load_user_config)


def test_defaults_without_a_file(tmp_path: Path) -> None:
    cfg = load_user_config(tmp_path / "missing.yaml")
    assert cfg.log_buffer == DEFAULT_LOG_BUFFER
    assert cfg.scale_ceiling == DEFAULT_SCALE_CEILING
    assert cfg.path is None


def test_counts_are_read(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("log_buffer: 5000\nscale_ceiling: 50\n")
    cfg = load_user_config(path)
    assert (cfg.log_buffer, cfg.scale_ceiling, cfg.path) == (5000, 50, path)


@pytest.mark.parametrize("text", ["scale_ceiling: 0", "scale_ceiling: lots",
                                  "scale_ceiling: true", "log_buffer: -1"])
def test_bad_counts_name_the_file_and_setting(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigFileError) as err:
        load_user_config(path)
    assert str(path) in str(err.value)
    assert text.split(":")[0] in str(err.value)
