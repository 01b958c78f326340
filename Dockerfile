# bp2 image for Nextflow's docker, singularity, awsbatch and k8s profiles.
# Built by the site (not by bp2's CI): docker build -t bp2:0.1.0 .
# It runs scripts/setup.sh, the same set-up as developers and CI (.ci/run), so the image holds
# exactly the Debian tools and the pinned Python environment the tests ran against.
FROM debian:bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1

RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends python3 python3-venv ca-certificates procps \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/bp2
COPY . /opt/bp2
RUN bash scripts/setup.sh && rm -rf /var/lib/apt/lists/* /root/.cache/pip

ENV PATH=/opt/bp2/.venv/bin:$PATH
CMD ["bp2", "--help"]
