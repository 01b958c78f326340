"""Nextflow support: render bp2's pipeline as a DSL2 workflow, bind units inside tasks, launch
Nextflow by subprocess and record its run the way the local engine does.

Nothing here imports Nextflow or needs it installed except :mod:`bp2.nextflow.launch`, which
looks for the ``nextflow`` launcher and Java only when ``bp2 run --engine nextflow`` is chosen.
"""
