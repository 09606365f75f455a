# Multi-stage build: compile in the Rust image, run on a slim Debian with libpq.
FROM rust:1.95-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY config ./config
COPY templates ./templates
COPY static ./static
RUN cargo build --release --locked --bin gopy

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/gopy --create-home gopy
COPY --from=build /src/target/release/gopy /usr/local/bin/gopy
COPY config /etc/gopy/config
USER gopy
WORKDIR /var/lib/gopy
ENV GOPY_CONFIG_DIR=/etc/gopy/config
EXPOSE 8080
ENTRYPOINT ["gopy"]
CMD ["serve"]
