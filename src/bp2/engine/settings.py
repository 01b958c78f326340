"""Constants of the local engine that the CLI needs without importing the engine."""

DEMO_CASE_DIR = "demo_case"
# 35× raw: GEL's Q30 yield (>85×10⁹ bases per 3.1 Gb, ~27× of Q30 bases) is met with the demo's
# quality model (~83 % Q30), as it is by clinical genomes sequenced to 35-40×.
DEMO_DEPTH = 35.0
