# syntax=docker/dockerfile:1

# Build a static binary: the embedded database is pure Go, so no cgo.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /idp ./cmd/idp

FROM debian:bookworm-slim
# CA certificates for outbound TLS.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 idp \
    && useradd --system --uid 10001 --gid idp --home-dir /data --no-create-home --shell /usr/sbin/nologin idp \
    && install -d -o idp -g idp -m 0750 /data
COPY --from=build /idp /idp
# The embedded database and token store live in /data when no external
# backend is configured.
ENV IDP_ADDR=:8080 \
    IDP_DATA_DIR=/data
VOLUME /data
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/idp"]
CMD ["serve"]
