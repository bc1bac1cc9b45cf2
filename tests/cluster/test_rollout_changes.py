"""`template_changes`: what an undo (or any move between revisions) changes, in words."""

from __future__ import annotations

from kubetui.cluster.rollout import Revision, template_changes


def revision(number: int, containers: list[dict], **spec: object) -> Revision:
    return Revision(number, "", tuple(c["image"] for c in containers), {
        "metadata": {"name": f"web-{number}"},
        "spec": {"template": {"metadata": {"labels": {"app": "web",
                                                      "pod-template-hash": f"h{number}"}},
                              "spec": {"containers": containers, **spec}}}})


def test_images_added_and_removed_containers_and_other_fields() -> None:
    app = {"name": "app", "image": "nginx:1.26"}
    old = revision(2, [app, {"name": "proxy", "image": "envoy:1"}])
    new = revision(1, [{**app, "image": "nginx:1.25"}, {"name": "sidecar", "image": "s:2"}])
    assert template_changes(old, new) == ["image of app: nginx:1.26 -> nginx:1.25",
                                          "container sidecar added (s:2)",
                                          "container proxy removed"]
    env = revision(3, [{**app, "env": [{"name": "LEVEL", "value": "debug"}]}])
    assert template_changes(revision(4, [app]), env) == [
        "pod template fields other than images differ"]
    assert template_changes(revision(4, [app]), revision(5, [app], dnsPolicy="None")) == [
        "pod template fields other than images differ"]
    moved = revision(6, [{**app, "image": "nginx:1.27"}], dnsPolicy="None")
    assert template_changes(revision(4, [app]), moved) == [
        "image of app: nginx:1.26 -> nginx:1.27", "other pod template fields differ too"]
    assert template_changes(revision(4, [app]), revision(7, [app])) == []  # hash only
