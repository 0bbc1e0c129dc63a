# Clearance service image.
#
#   docker build -t clearance:local .
#   docker compose up --build          (see docker-compose.yml for the environment)
#
# Behind a private Maven mirror, hand the build your Maven settings as a build
# secret (never baked into a layer):
#   docker build --secret id=maven-settings,src=$HOME/.m2/settings.xml -t clearance:local .
#
# Needs BuildKit (the default builder since Docker Engine 23) for the cache and
# secret mounts.

ARG MAVEN_IMAGE=maven:3.9.11-eclipse-temurin-21
ARG RUNTIME_IMAGE=eclipse-temurin:21.0.9_10-jre-noble

# ---------------------------------------------------------------- build
FROM ${MAVEN_IMAGE} AS build
WORKDIR /workspace

# .dockerignore lets only pom.xml, src/, fga/ (and .mvn/ if present) in.
COPY . .

# `package` on this project produces two jars (micronaut-parent binds
# maven-shade-plugin to the package phase for packaging=jar, with exec.mainClass
# as Main-Class): target/clearance-<version>.jar is the runnable fat jar,
# target/original-clearance-<version>.jar the plain one. Tests are compiled but
# not run here; CI runs them against real servers.
RUN --mount=type=cache,target=/root/.m2/repository \
    --mount=type=secret,id=maven-settings,target=/root/.m2/settings.xml \
    mvn -B -ntp -DskipTests package \
 && set -- target/clearance-*.jar \
 && if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then echo "expected exactly one target/clearance-*.jar, found: $*" >&2; exit 1; fi \
 && cp "$1" /workspace/clearance.jar

# ---------------------------------------------------------------- runtime
# Ubuntu-based JRE (glibc): the in-process embedding model runs on ONNX Runtime,
# whose native library does not load on musl (Alpine). The image ships curl,
# which the health check uses.
FROM ${RUNTIME_IMAGE}

RUN groupadd --system --gid 10001 clearance \
 && useradd --system --uid 10001 --gid clearance --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin clearance

WORKDIR /app
# Owned by root, read-only for the service user. The jar also carries
# fga/model.fga, the model the service writes to a store it creates (ADR 0002).
COPY --from=build /workspace/clearance.jar /app/clearance.jar

# The port inside the container (map it with -p / ports:).
ENV MICRONAUT_SERVER_PORT=8080

USER 10001:10001
EXPOSE 8080

# Liveness only: an orchestrator that restarts unhealthy containers should not
# restart the service because PostgreSQL or OpenFGA is down (readiness at
# /health/readiness reports those; docker-compose.yml checks it).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${MICRONAUT_SERVER_PORT:-8080}/health/liveness" || exit 1

# The base image's entrypoint stays in place (it can add CA certificates when
# USE_SYSTEM_CA_CERTS is set, e.g. for an IdP or a hosted FGA behind a private
# CA). Extra JVM flags: JAVA_TOOL_OPTIONS.
CMD ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/clearance.jar"]
