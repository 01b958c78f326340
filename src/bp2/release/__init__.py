"""``bp2 release``: run every verification and validation step for real, gate the result, and
render the release evidence bundle.

::

    outcome = make_release(ReleaseRequest(version="1.2.0", outdir=Path("out/rel-1.2.0"),
                                          project=root, previous=None))
    outcome.decision.passed      # False when any gate reason was found
    outcome.decision.reasons     # every reason, each with its kind, message and link

The steps (:mod:`bp2.release.steps`) run in order — trace check, test suite, validation
protocols, SOUP inventory — on a clean git tree; the gate (:mod:`bp2.release.gate`) turns their
records, the change impact (:mod:`bp2.release.impact`) and the SOUP comparison
(:mod:`bp2.release.soup`) into PASS or FAIL with reasons; the renderer
(:mod:`bp2.release.render`) writes the static bundle, and the evidence manifest
(:func:`bp2.evidence.manifest.write_manifest`) seals it.
"""
