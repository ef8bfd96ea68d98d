# Multi-stage build: compile in the Rust image, run on slim Debian with the seed files.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml ./
# The query macros check SQL against the committed offline data (SQLX_OFFLINE is set in
# .cargo/config.toml), so the build needs no database.
COPY .cargo ./.cargo
COPY .sqlx ./.sqlx
COPY src ./src
COPY migrations ./migrations
COPY data ./data
# The demo page at /demo/ and the web client's built files at /app/ are compiled into
# the binary (web/dist is committed: the image needs no Node).
COPY examples/web ./examples/web
COPY web/dist ./web/dist
# Cargo.toml names the integration-test target; its sources must exist for cargo to load the manifest.
COPY tests ./tests
RUN cargo build --release --locked --bin studytrack

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
RUN useradd --system --home /app studytrack
WORKDIR /app
COPY --from=build /src/target/release/studytrack /usr/local/bin/studytrack
COPY seed ./seed
USER studytrack
ENV STUDYTRACK_BIND=0.0.0.0:8080 \
    STUDYTRACK_SEED_DIR=/app/seed \
    STUDYTRACK_LOG_FORMAT=json
EXPOSE 8080
CMD ["studytrack", "serve"]
