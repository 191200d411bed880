# Build and run Foothold in a container. The database lives in /data (mount a volume there).
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev zlib1g-dev libargon2-dev libcurl4-openssl-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The same release build as .ci/run (which checks that it is).
RUN swift build -c release --product foothold && cp .build/release/foothold /usr/local/bin/foothold

FROM debian:bookworm-slim
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
