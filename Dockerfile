# leakhound in a container:
#
#   docker build -t leakhound .
#   docker run --rm -v "$PWD:/src" leakhound git /src
#   docker run --rm -v "$PWD:/src" leakhound dir /src --format sarif -o /src/leakhound.sarif
#
# Build stage: a static binary (no cgo, so no libc to match), paths trimmed
# from it. VERSION names the build in 'leakhound version'.
FROM golang:1.26-alpine AS build
ARG VERSION=dev
WORKDIR /build
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/leakhound/leakhound/cmd.Version=${VERSION}" \
    -o /out/leakhound .

# Final stage: the binary, git (cloning over ssh and hooks that call git)
# and CA certificates (https clones, registries, verification), run as an
# unprivileged user.
FROM alpine:3.22
RUN apk add --no-cache git ca-certificates openssh-client \
    && adduser -D -H -u 10001 -s /sbin/nologin leakhound
COPY --from=build /out/leakhound /usr/local/bin/leakhound
# A bind-mounted repository belongs to the host's user; git would refuse
# to work in it as "dubious ownership".
RUN git config --system --add safe.directory '*'
USER 10001:10001
WORKDIR /src
ENTRYPOINT ["leakhound"]
CMD ["--help"]
