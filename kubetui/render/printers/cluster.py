"""Policy, RBAC and storage kinds, and the kinds the server prints with its default table
(NAME, CREATED AT): Role, ClusterRole, LimitRange, CustomResourceDefinition."""

from __future__ import annotations

from datetime import datetime

from kubetui.render.age import created_at
from kubetui.render.model import OK, PENDING, Cell, Column, RowHealth
from kubetui.render.printers.base import (AGE, NAME, Printer, age, column, int_or_string,
                                          meta, name, spec, status, wide)

PODDISRUPTIONBUDGET = (
    NAME,
    column("Min Available", description="The minimum number of pods that must be available."),
    column("Max Unavailable",
           description="The maximum number of pods that may be unavailable."),
    column("Allowed Disruptions", "integer",
           description="Calculated number of pods that may be disrupted at this time."),
    AGE,
)


def render_pdb(pdb: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    pdb_spec, pdb_status = spec(pdb), status(pdb)
    cells: list[Cell] = [name(pdb), int_or_string(pdb_spec.get("minAvailable")),
                         int_or_string(pdb_spec.get("maxUnavailable")),
                         pdb_status.get("disruptionsAllowed", 0), age(pdb, now)]
    healthy = pdb_status.get("currentHealthy", 0) >= pdb_status.get("desiredHealthy", 0)
    return cells, OK if healthy else PENDING


def _binding_columns(kind: str) -> tuple[Column, ...]:
    return (NAME, column("Role"), AGE,
            wide("Users", description=f"Users in the {kind}"),
            wide("Groups", description=f"Groups in the {kind}"),
            wide("ServiceAccounts", description=f"ServiceAccounts in the {kind}"))


def render_binding(binding: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    ref = binding.get("roleRef") or {}
    subjects: dict[str, list[str]] = {"User": [], "Group": [], "ServiceAccount": []}
    for subject in binding.get("subjects") or []:
        kind, subject_name = subject.get("kind"), subject.get("name", "")
        if kind == "ServiceAccount":
            subject_name = f"{subject.get('namespace', '')}/{subject_name}"
        if kind in subjects:
            subjects[kind].append(subject_name)
    return [name(binding), f"{ref.get('kind', '')}/{ref.get('name', '')}", age(binding, now),
            *(", ".join(names) for names in subjects.values())], OK


STORAGECLASS = (
    NAME,
    column("Provisioner"),
    column("ReclaimPolicy"),
    column("VolumeBindingMode"),
    column("AllowVolumeExpansion"),
    AGE,
)
_DEFAULT_CLASS_ANNOTATIONS = ("storageclass.kubernetes.io/is-default-class",
                              "storageclass.beta.kubernetes.io/is-default-class")


def render_storageclass(sc: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    annotations = meta(sc).get("annotations") or {}
    is_default = any(annotations.get(a) == "true" for a in _DEFAULT_CLASS_ANNOTATIONS)
    cells: list[Cell] = [
        name(sc) + (" (default)" if is_default else ""), sc.get("provisioner", ""),
        sc.get("reclaimPolicy") or "Delete", sc.get("volumeBindingMode") or "Immediate",
        bool(sc.get("allowVolumeExpansion")),  # a bool cell: kubectl prints true/false
        age(sc, now),
    ]
    return cells, OK


DEFAULT_TABLE = (NAME, column("Created At", "date"))


def render_default(obj: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    """The server's default table convertor: the name and the creation time, not an age."""
    return [name(obj), created_at(meta(obj).get("creationTimestamp"))], OK


_RBAC = "rbac.authorization.k8s.io"
PRINTERS = (
    Printer("PodDisruptionBudget", "policy", PODDISRUPTIONBUDGET, render_pdb),
    Printer("RoleBinding", _RBAC, _binding_columns("roleBinding"), render_binding),
    Printer("ClusterRoleBinding", _RBAC, _binding_columns("clusterRoleBinding"),
            render_binding),
    Printer("StorageClass", "storage.k8s.io", STORAGECLASS, render_storageclass),
    Printer("Role", _RBAC, DEFAULT_TABLE, render_default),
    Printer("ClusterRole", _RBAC, DEFAULT_TABLE, render_default),
    Printer("LimitRange", "", DEFAULT_TABLE, render_default),
    Printer("CustomResourceDefinition", "apiextensions.k8s.io", DEFAULT_TABLE, render_default),
)
