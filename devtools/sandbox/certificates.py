"""Certificates the sandbox can issue, and the names a viewer certificate covers.

moto's ACM leaves requested certificates in PENDING_VALIDATION (there is no DNS to validate against), so the
sandbox issues its own: a fresh key and certificate with the requested SANs, stored straight in moto's ACM
backend of any account and region. Certificates in regions other than us-east-1 exist so the "ACM certificate
must be in us-east-1" rule can be exercised.
"""

import datetime
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from moto.acm.models import CertBundle, acm_backends
from moto.iam.models import iam_backends

DEFAULT_ACCOUNT = "123456789012"
ISSUED = "ISSUED"
# Namespace for deterministic certificate ARNs (so the demo fleet is identical from run to run).
_ARN_NAMESPACE = uuid.UUID("6f1c3f0e-2b1d-4a53-9a35-5d0d6c1e0b7a")


def issue_certificate(
    domain: str,
    sans: tuple[str, ...] | list[str] = (),
    *,
    account: str = DEFAULT_ACCOUNT,
    region: str = "us-east-1",
    status: str = ISSUED,
    name: str | None = None,
) -> str:
    """Create an ACM certificate for ``domain`` + ``sans`` in ``status``; return its ARN.

    ``name`` makes the ARN deterministic (the same name always gives the same ARN in an account/region).
    """
    names = list(dict.fromkeys([domain, *sans]))
    certificate, key = _self_signed(domain, names)
    suffix = uuid.uuid5(_ARN_NAMESPACE, f"{account}/{region}/{name}") if name else uuid.uuid4()
    arn = f"arn:aws:acm:{region}:{account}:certificate/{suffix}"
    bundle = CertBundle(
        account_id=account,
        certificate=certificate,
        private_key=key,
        region=region,
        arn=arn,
        # AMAZON_ISSUED, so it reads back like a certificate ACM issued rather than an imported one.
        cert_type="AMAZON_ISSUED",
        cert_status=status,
    )
    acm_backends[account][region]._certificates[arn] = bundle
    return arn


def _self_signed(domain: str, names: list[str]) -> tuple[bytes, bytes]:
    # EC keys: RSA-2048 generation costs ~50 ms each, which adds up over a seeded fleet.
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    issuer = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Amazon"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Amazon RSA 2048 M02"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=395))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), pem_key


def acm_certificate_names(account: str, arn: str) -> list[str] | None:
    """The names an ACM certificate covers, or None if CloudFront could not use it from ``account``.

    CloudFront accepts only issued certificates in us-east-1 owned by the distribution's account.
    """
    parts = arn.split(":")
    if len(parts) != 6 or parts[2] != "acm" or parts[3] != "us-east-1" or parts[4] != account:
        return None
    bundle = acm_backends[account]["us-east-1"]._certificates.get(arn)
    if bundle is None:
        return None
    bundle.check()  # moto's own ageing: pending certificates issue, old ones expire.
    if bundle.status != ISSUED:
        return None
    return _names(bundle.common_name, bundle.sans)


def iam_certificate_names(account: str, certificate_id: str) -> list[str] | None:
    """The names an IAM server certificate covers, or None if CloudFront could not use it.

    CloudFront only uses IAM server certificates uploaded under the ``/cloudfront/`` path.
    """
    certificate = iam_backends[account]["aws"].certificates.get(certificate_id)
    if certificate is None or not certificate.path.startswith("/cloudfront/"):
        return None
    parsed = x509.load_pem_x509_certificate(certificate.cert_body.encode())
    try:
        sans = parsed.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        dns_names = sans.value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        dns_names = []
    common = parsed.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return _names(str(common[0].value) if common else "", dns_names)


def _names(common_name: str, sans: list[str]) -> list[str]:
    return [n.lower() for n in dict.fromkeys([common_name, *sans]) if n]
