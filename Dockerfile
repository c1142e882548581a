# imagine-emu container image: built on Debian 12, run on Debian 12 slim with the runtime
# libraries only, as a non-root user, listening on 0.0.0.0:8080.
#   docker build -t imagine-emu .
#   docker run --rm -p 8080:8080 imagine-emu                    # the emulator
#   docker run --rm -p 8080:8080 imagine-emu --clock virtual    # with flags
#   docker run --rm -v "$PWD:/work" -w /work imagine-emu imagine-conform --client ./my-client
# Configure with IMAGINE_EMU_* variables (-e IMAGINE_EMU_CLOCK=virtual) or a YAML file mounted at
# /etc/imagine-emu/config.yaml. scripts/test-container builds and tests this file with buildah.
ARG BUILD_IMAGE=docker.io/library/debian:12
ARG RUNTIME_IMAGE=docker.io/library/debian:12-slim

# ---- Build: a server-only Release build (-DBUILD_TESTING=OFF needs no doctest, JSON Schema
# test suite, node or chromium), packaged as the .deb so that the run stage gets exactly the
# package's files and its Depends.
FROM ${BUILD_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ make cmake pkg-config dpkg-dev file \
      libcpp-httplib-dev nlohmann-json3-dev libyaml-cpp-dev libssl-dev libboost-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
 && cmake --build /build -j"$(nproc)" \
 && cd /build && cpack -G DEB \
 && mkdir /out && mv /build/imagine-emu_*.deb /out/

# ---- Run: the package and what its Depends pull in; curl and jq for the healthcheck and the
# shell reference clients, ca-certificates for HTTPS callbacks.
FROM ${RUNTIME_IMAGE}
# OCI labels: scripts/test-container (and so scripts/release) passes the version from CMakeLists.txt
# and the source repository: --build-arg IMAGINE_VERSION=0.2.0 --build-arg IMAGINE_SOURCE=<url>.
ARG IMAGINE_VERSION=""
ARG IMAGINE_SOURCE=""
LABEL org.opencontainers.image.title="imagine-emu" \
      org.opencontainers.image.description="Local emulator of the Apikley and Evolink Grok Imagine APIs" \
      org.opencontainers.image.version="${IMAGINE_VERSION}" \
      org.opencontainers.image.source="${IMAGINE_SOURCE}" \
      org.opencontainers.image.licenses="MIT"
COPY --from=build /out/ /tmp/pkg/
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      /tmp/pkg/imagine-emu_*.deb curl jq ca-certificates \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /tmp/pkg \
 && useradd --system --uid 10001 --user-group --create-home --home-dir /home/imagine \
      --shell /usr/sbin/nologin imagine \
 && mkdir -p /etc/imagine-emu /var/lib/imagine-emu && chown 10001:10001 /var/lib/imagine-emu
COPY scripts/container-entrypoint /usr/local/bin/imagine-emu-entrypoint

# Inside the container the emulator listens on all interfaces (outside it, 127.0.0.1 stays the
# default). Result links say http://127.0.0.1:8080 unless IMAGINE_EMU_PUBLIC_URL says otherwise.
ENV IMAGINE_EMU_HOST=0.0.0.0 \
    IMAGINE_EMU_PORT=8080
USER 10001:10001
WORKDIR /home/imagine
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/imagine-emu-entrypoint", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/imagine-emu-entrypoint"]
CMD []
