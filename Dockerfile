# Build and run Foothold in a container. The database lives in /data (mount a volume there).
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --product foothold && cp .build/release/foothold /usr/local/bin/foothold

FROM debian:bookworm-slim
# The Swift runtime is linked into the binary (Package.swift), so the image needs no Swift libraries.
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-0 zlib1g libstdc++6 tzdata ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/foothold /usr/local/bin/foothold
ENV FOOTHOLD_HOST=0.0.0.0 FOOTHOLD_DB=/data/foothold.sqlite
VOLUME /data
EXPOSE 8080
USER nobody
ENTRYPOINT ["foothold"]
CMD ["serve"]
