# syntax=docker/dockerfile:1
# modelmux in a FROM-scratch image: the compiled binary, the few shared libraries it links,
# CA certificates and a non-root user; nothing else (see scripts/rootfs-files.sh).
#   docker build -t modelmux .
#   docker run -p 20128:20128 -v modelmux-data:/data -e INITIAL_PASSWORD=... modelmux

FROM oven/bun:1.4.5-debian AS build
WORKDIR /src
RUN [ -f /etc/ssl/certs/ca-certificates.crt ] || { apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*; }
COPY package.json bun.lock bunfig.toml ./
RUN bun install --frozen-lockfile
COPY . .
# --only-host builds for the platform this stage runs on: linux-x64 on amd64 (linux-arm64 on arm64),
# so ldd in rootfs-files.sh can read the binary it ships.
RUN bun run build -- --only-host --outdir /out \
 && bash scripts/rootfs-files.sh /out/modelmux-linux-* /rootfs

FROM scratch
# COPY --from keeps the build stage's owners and modes: /data is 10001:10001 0700, /tmp 1777.
COPY --from=build /rootfs /
ENV DATA_DIR=/data HOSTNAME=0.0.0.0
USER 10001:10001
EXPOSE 20128
# The binary asks its own /healthz (no shell or curl in a scratch image).
HEALTHCHECK --interval=30s --timeout=6s --start-period=5s CMD ["/modelmux", "health"]
ENTRYPOINT ["/modelmux"]
