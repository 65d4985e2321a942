# PostgreSQL for docker/compose.yml on machines that cannot pull postgres: Debian's package (the one
# `npm run infra` installs on the host) on the locally imported Debian base. It reads the same
# POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB variables as the public image and runs the
# *.sql files in /docker-entrypoint-initdb.d once, when the data directory is new.
ARG DEBIAN_IMAGE=herd/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/log/apt /var/log/dpkg.log \
 && mkdir -p /var/lib/postgresql/data /docker-entrypoint-initdb.d /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY postgres-run.sh /usr/local/bin/postgres-run.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
USER postgres
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/postgres-run.sh"]
