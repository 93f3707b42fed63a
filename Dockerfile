# The project's image for users with a registry. The local test bed does not use it: hack/images.sh
# packs the same two static binaries (from `make build`) without Docker.
#   docker build -t <registry>/redis-failover-operator:<tag> --build-arg VERSION=<tag> .
FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so that a code change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/failover-dev/redis-failover-operator/internal/version.Version=${VERSION}" \
      -o /out/redis-failover ./cmd/redis-failover && \
    CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/failover-dev/redis-failover-operator/internal/version.Version=${VERSION}" \
      -o /out/redis-failover-sentinel ./cmd/redis-failover-sentinel

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/redis-failover /out/redis-failover-sentinel /usr/local/bin/
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/redis-failover"]
