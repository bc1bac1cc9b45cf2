"""A terminal window resized under kubetui (issue 17: "right after a resize the namespace pane
showed 2 of 14 namespaces for about a second"): the FIRST frame drawn after the resize is
already right. kubetui runs on a pseudo-terminal whose window size changes (SIGWINCH) and
which answers Textual's synchronized-output query, so each frame arrives between its own
begin and end marks and the screen is kept as each frame left it (`PtyApp.frames`)."""

from __future__ import annotations

from tests.fast_cluster import Cluster
from tests.ui.pty_harness import PtyApp

TEAMS = [f"team-{i:02d}" for i in range(11)]
#: The sandbox's own four and the teams: 15 rows, which all fit in 45 rows.
NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system", *TEAMS]
BORDER = "▕"  # the namespace pane's right edge


def pane_names(lines: list[str]) -> list[str]:
    """The namespaces the pane shows, top to bottom."""
    return [words[0] for line in lines if BORDER in line
            and (words := line.split(BORDER, 1)[0].split()) and words[0] in NAMESPACES]


def shown(frame: list[str]) -> str:
    return "the frame:\n" + "\n".join(frame)


async def started(cluster: Cluster, cols: int, rows: int) -> PtyApp:
    for name in TEAMS:
        cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    app = await PtyApp.start("-n", "default", "-c", "pods", cols=cols, rows=rows, frames=True)
    await app.wait_text("No pods in namespace default")
    return app


async def resized(app: PtyApp, cols: int, rows: int, done: str,
                  settled: object) -> list[str]:
    """Resize once the app is idle; wait until a frame satisfies `settled`; the first
    frame that answers the resize: its footer on the new last line, or the pane's border
    on other lines than before (a frame the app wrote before it saw SIGWINCH, say a new
    problem count in the header, is not the answer)."""
    await app.wait_quiet()
    frames = app.frames
    assert frames is not None
    mark = len(frames)
    app.resize(cols, rows)
    border_before = [BORDER in line for line in app.lines()]  # cut or padded to the size

    def answers(frame: list[str]) -> bool:
        return "Command" in frame[-1] or [BORDER in line for line in frame] != border_before
    await app.wait_until(lambda: any(settled(f) for f in frames[mark:]),  # type: ignore
                         done)
    return next(f for f in frames[mark:] if answers(f))


async def test_a_wider_window_shows_the_pane_with_every_namespace_at_once(
        cluster: Cluster) -> None:
    app = await started(cluster, 80, 24)  # below 110 columns the pane hides
    try:
        assert BORDER not in app.screen_text()
        first = await resized(app, 160, 45, "every namespace in the pane",
                              lambda f: pane_names(f) == NAMESPACES)
        assert pane_names(first) == NAMESPACES, shown(first)
        # ... and the main table in that frame is laid out for 160 columns, not 80.
        assert "READINESS GATES" in "\n".join(first), shown(first)
        assert "Command" in first[-1], shown(first)  # the footer on the new last line
    finally:
        await app.close()


async def test_a_taller_window_shows_the_namespaces_that_did_not_fit(
        cluster: Cluster) -> None:
    app = await started(cluster, 160, 12)
    await app.wait_until(lambda: len(pane_names(app.lines())) >= 5, "the pane")
    try:
        assert len(pane_names(app.lines())) < len(NAMESPACES)  # the rest did not fit
        first = await resized(app, 160, 45, "every namespace in the pane",
                              lambda f: pane_names(f) == NAMESPACES)
        assert pane_names(first) == NAMESPACES, shown(first)
        assert "Command" in first[-1], shown(first)
    finally:
        await app.close()


async def test_a_narrower_window_hides_the_pane_in_its_first_frame(cluster: Cluster) -> None:
    app = await started(cluster, 160, 45)
    try:
        await app.wait_until(lambda: pane_names(app.lines()) == NAMESPACES, "the pane")
        first = await resized(app, 80, 24, "the pane hidden",
                              lambda f: not any(BORDER in line for line in f))
        assert not any(BORDER in line for line in first), shown(first)
        assert "Command" in first[-1], shown(first)
        assert "1 Pods" in first[1], shown(first)  # the header on one line, tabs under it
        assert "No pods in namespace default" in "\n".join(first), shown(first)
    finally:
        await app.close()
