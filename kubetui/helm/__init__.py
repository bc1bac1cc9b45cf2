"""Helm releases read straight from the cluster, without the helm binary: Helm 3 keeps each
revision of a release as a Secret of type `helm.sh/release.v1` (or a ConfigMap with the
ConfigMap driver) labelled `owner=helm`, holding the release as base64(gzip(JSON)).

`records` decodes (and, for the sandbox's demo and the tests, encodes) those objects;
`releases` turns them into the release list, a release's history and a revision's values,
manifest and notes; `diff` compares two revisions. Pure: no Textual, no HTTP.
"""
