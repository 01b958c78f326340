"""``bp2 evidence``: manifest, signing keys, signatures and verification of an evidence bundle
(library: :mod:`bp2.evidence`).

A passphrase is never taken from the command line (it would stay in the shell history and the
process list): it comes from ``--passphrase-file``, else ``BP2_SIGNING_PASSPHRASE``, else a
prompt on the terminal.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from bp2.errors import CheckFailed, InputError, UsageError

IMPLEMENTS = ("SRS-352", "SRS-353", "SRS-363")

PASSPHRASE_ENV = "BP2_SIGNING_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret

evidence_app = typer.Typer(
    help="Integrity and signatures of a release evidence bundle: manifest, keygen, sign, verify.",
    no_args_is_help=True,
)

PassphraseFile = Annotated[
    Path | None,
    typer.Option("--passphrase-file", help=f"file holding the passphrase (else ${PASSPHRASE_ENV}, "
                 "else a prompt)"),
]
SignersOption = Annotated[
    Path | None,
    typer.Option("--signers", help="controlled signers list (default: the nearest "
                 "quality/signers.yaml)"),
]


def register(app: typer.Typer) -> None:
    """Add the ``evidence`` command group to the top-level app."""
    app.add_typer(evidence_app, name="evidence")


def _passphrase(path: Path | None, *, confirm: bool) -> bytes:
    if path is not None:
        if not path.is_file():
            raise InputError.missing_file(path, "passphrase file")
        return path.read_text(encoding="utf-8").rstrip("\r\n").encode("utf-8")
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env is not None:
        return from_env.encode("utf-8")
    if not sys.stdin.isatty():
        raise UsageError.missing_option(
            "a passphrase",
            f"--passphrase-file FILE or ${PASSPHRASE_ENV} (no terminal to prompt on)")
    text: str = typer.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm)
    return text.encode("utf-8")


@evidence_app.command("keygen")
def keygen_cmd(
    out: Annotated[Path, typer.Option("--out", help="private key file to write (KEY.pem); the "
                                      "public key goes to KEY.pub.pem")],
    passphrase_file: PassphraseFile = None,
) -> None:
    """Create a passphrase-protected Ed25519 signing key and its public key."""
    from bp2.evidence.keys import generate_key

    pair = generate_key(out, _passphrase(passphrase_file, confirm=True))
    typer.echo(f"private key: {pair.private} (passphrase-protected, mode 0600)")
    typer.echo(f"public key:  {pair.public}")
    typer.echo(f"fingerprint: {pair.fingerprint}")
    typer.echo("enrol it by adding to quality/signers.yaml (reviewed change):\n"
               f"  - name: <your name>\n    roles: [<role>]\n    fingerprint: {pair.fingerprint}\n"
               "    enrolled_on: <YYYY-MM-DD>\n    enrolled_by: <quality manager>")


@evidence_app.command("manifest")
def manifest_cmd(
    bundle: Annotated[Path, typer.Argument(help="evidence bundle folder")],
    volatile: Annotated[list[str] | None, typer.Option(
        "--volatile", help="relative path of a record that legitimately changes between two "
        "releases of the same commit (repeatable)")] = None,
) -> None:
    """Write BUNDLE/MANIFEST.json: the sha256 and size of every file."""
    from bp2.evidence.manifest import write_manifest
    from bp2.fileio import sha256_file

    path = write_manifest(bundle, volatile=tuple(volatile or ()))
    typer.echo(f"wrote {path} (sha256 {sha256_file(path)})")


@evidence_app.command("sign")
def sign_cmd(
    bundle: Annotated[Path, typer.Argument(help="evidence bundle folder")],
    key: Annotated[Path, typer.Option("--key", help="your passphrase-protected private key")],
    signer: Annotated[str, typer.Option("--signer", help="your name, as enrolled")],
    role: Annotated[str, typer.Option("--role", help="the role you sign in, e.g. reviewer")],
    meaning: Annotated[str, typer.Option("--meaning", help="what the signature means, e.g. "
                                         "'reviewed' or 'approved for release'")],
    signers: SignersOption = None,
    passphrase_file: PassphraseFile = None,
) -> None:
    """Sign the bundle's current manifest with an enrolled key."""
    from bp2.evidence.sign import sign_bundle

    path = sign_bundle(bundle, key, signer=signer, role=role, meaning=meaning,
                       passphrase=_passphrase(passphrase_file, confirm=False), signers=signers)
    typer.echo(f"signed as {signer} ({role}, '{meaning}'): {path}")


@evidence_app.command("verify")
def verify_cmd(
    bundle: Annotated[Path, typer.Argument(help="evidence bundle folder")],
    signers: SignersOption = None,
    plan: Annotated[Path | None, typer.Option(
        "--plan", help="release plan (default: release-plan.yaml beside the signers list)")] = None,
    integrity_only: Annotated[bool, typer.Option(
        "--integrity-only", help="check the files against the manifest only (no signatures, "
        "no approval)")] = False,
    output_format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Recompute every hash, check every signature and say whether the release is approved.

    Exit 0: verified and approved; 1: a problem, or intact but not approved (the last line says
    which); 3: a bad signers list, release plan or bundle path.
    """
    from bp2.evidence.verify import verify_bundle

    if output_format not in ("text", "json"):
        raise UsageError(f"unknown --format '{output_format}'", hint="give text or json")
    report = verify_bundle(bundle, signers, plan=plan, integrity_only=integrity_only)
    if output_format == "json":
        typer.echo(report.model_dump_json(indent=2))
    else:
        digest = (report.manifest_sha256 or "-")[:16]
        typer.echo(f"bundle: {bundle} ({report.files} files; MANIFEST.json sha256 {digest}…)")
        for problem in report.problems:
            typer.echo(f"  {problem.kind:<18} {problem.message}")
        for s in report.signatures:
            state = "accepted" if s.valid else "REFUSED"
            typer.echo(f"  signature {state:<8} {s.file}: {s.signer} as {s.role} "
                       f"('{s.meaning}') at {s.signed_at}")
        if report.problems and not integrity_only:
            typer.echo("NOT approved: " + "; ".join(report.not_approved_because))
        typer.echo(report.verdict())
    ok = report.integrity_ok if integrity_only else report.approved
    if not ok:
        hint = ("each problem above says what is wrong and where; restore the bundle as "
                "released, or regenerate, review and sign it again" if report.problems else
                "the bundle is intact; the signatures the release plan requires are missing")
        raise CheckFailed(report.verdict(), path=bundle, hint=hint)
