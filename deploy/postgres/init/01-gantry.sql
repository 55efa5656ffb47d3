-- Runs once, when the postgresql volume is first initialised (docker-entrypoint-initdb.d), as the
-- superuser POSTGRES_USER (temporal). temporal-admin-tools only lays schemas into Temporal's two
-- databases, so re-running that job against an existing volume is harmless.
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;

-- Gantry's catalog gets its own role and database: Flyway migrates it when Gantry starts.
-- The password must match SPRING_DATASOURCE_PASSWORD in docker-compose.yml. PostgreSQL is not
-- published to the host; change both before sharing the host.
CREATE ROLE gantry LOGIN PASSWORD 'gantry';
CREATE DATABASE gantry OWNER gantry;
