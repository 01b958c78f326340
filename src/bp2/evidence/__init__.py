"""Integrity and electronic signatures of a release evidence bundle (21 CFR Part 11 §11.50, §11.70).

A bundle is a folder of plain files.  Three layers, each checked by ``bp2 evidence verify``:

* ``MANIFEST.json`` (:mod:`bp2.evidence.manifest`): the sha256 and size of every regular file in
  the bundle except itself and ``signatures/``, sorted by path, written as canonical JSON with a
  seal (a checksum of its own content) and the list of *volatile* records — files whose content
  legitimately differs between two releases of the same commit (step times, durations); they are
  hashed like every other file.
* ``signatures/*.json`` (:mod:`bp2.evidence.sign`): Ed25519 signatures over a record naming the
  signer, role, meaning ("reviewed", "approved for release"), UTC time, key fingerprint and the
  sha256 of ``MANIFEST.json``.  Signatures are added after the manifest, so they sit outside it.
* The controlled lists in the project's ``quality/`` folder (:mod:`bp2.evidence.signers`):
  ``signers.yaml`` (who may sign, with which key and in which roles) and ``release-plan.yaml``
  (which role must sign with which meaning for a release to be approved).

Verification (:mod:`bp2.evidence.verify`) and approval are distinct verdicts: a bundle can be
intact yet not approved.
"""
