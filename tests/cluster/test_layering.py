"""The cluster layer stays below the UI: importing it must not import Textual."""

from __future__ import annotations

import subprocess
import sys


def test_cluster_imports_no_textual():
    code = ("import sys, kubetui.cluster.store, kubetui.cluster.client, "
            "kubetui.cluster.kubeconfig; print('textual' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
