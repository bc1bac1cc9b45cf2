"""A throwaway certificate authority and serving certificate for the sandbox.

kubectl (client-go) sends no bearer token over plain HTTP, so the sandbox serves HTTPS
like a real API server; clients trust it through the kubeconfig's
`certificate-authority-data`. Keys are EC P-256: generated in milliseconds at start.

The same CA signs client certificates (`--auth cert`), which the server asks for and
verifies, as kube-apiserver's --client-ca-file does: the subject's CN is the user name
and each O a group (k8s.io/apiserver authentication/request/x509), as kubeadm and kind
write their admin's.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class ServingCert:
    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes
    ca_key_pem: bytes = b""  # to sign client certificates; empty: none can be made

    def server_context(self, client_certs: bool = False) -> ssl.SSLContext:
        """With `client_certs`, certificates this CA signed are asked for (not required:
        bearer tokens work as well). Python's ssl checks a presented certificate during
        the handshake, so one from another CA fails it then, where kube-apiserver (Go's
        RequestClientCert) would go on to the token: hence only when asked for."""
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        with tempfile.TemporaryDirectory() as d:
            cert, key = Path(d) / "tls.crt", Path(d) / "tls.key"
            cert.write_bytes(self.cert_pem + self.ca_pem)
            key.write_bytes(self.key_pem)
            ctx.load_cert_chain(cert, key)
        if client_certs:
            ctx.verify_mode = ssl.CERT_OPTIONAL
            ctx.load_verify_locations(cadata=self.ca_pem.decode())
        return ctx

    def client_cert(self, user: str, groups: tuple[str, ...] = ()) -> tuple[bytes, bytes]:
        """(certificate PEM, key PEM) for `user` in `groups`, signed by this CA."""
        ca_key = serialization.load_pem_private_key(self.ca_key_pem, password=None)
        assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
        ca = x509.load_pem_x509_certificate(self.ca_pem)
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([*(x509.NameAttribute(NameOID.ORGANIZATION_NAME, g)
                               for g in groups),
                             x509.NameAttribute(NameOID.COMMON_NAME, user)])
        start = ca.not_valid_before_utc
        cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(start).not_valid_after(ca.not_valid_after_utc)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
                               critical=False)
                .sign(ca_key, hashes.SHA256()))
        pem = serialization.Encoding.PEM
        return cert.public_bytes(pem), key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def peer_user(peercert: dict | None) -> tuple[str, tuple[str, ...]] | None:
    """(user, groups) from a verified client certificate as `ssl` reports it."""
    if not peercert:
        return None
    names = [attr for rdn in peercert.get("subject", ()) for attr in rdn]
    user = next((v for k, v in names if k == "commonName"), "")
    groups = tuple(v for k, v in names if k == "organizationName")
    return (user, groups) if user else None


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_serving_cert(hosts: list[str]) -> ServingCert:
    """A new CA and a certificate it signs for `hosts` (names or IP addresses)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=365)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("kubetui-sandbox-ca"))
          .issuer_name(_name("kubetui-sandbox-ca")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(start)
          .not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                       crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False,
                                       decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    alt: list[x509.GeneralName] = []
    for h in dict.fromkeys([*hosts, "localhost", "127.0.0.1"]):
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            alt.append(x509.DNSName(h))
    cert = (x509.CertificateBuilder().subject_name(_name("kubetui-sandbox"))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    private = serialization.PrivateFormat.PKCS8
    return ServingCert(
        ca_pem=ca.public_bytes(pem),
        cert_pem=cert.public_bytes(pem),
        key_pem=key.private_bytes(pem, private, serialization.NoEncryption()),
        ca_key_pem=ca_key.private_bytes(pem, private, serialization.NoEncryption()),
    )
