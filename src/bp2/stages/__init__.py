"""Pipeline stages: one package per stage, listed in ``bp2.stages.registry``."""
