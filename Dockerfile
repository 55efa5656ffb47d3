# syntax=docker/dockerfile:1
# Gantry's one runnable jar (roles api + worker). docker-compose.yml runs it against a real
# Temporal server and PostgreSQL; the embedded PostgreSQL binaries stay in the jar, unused there.

FROM eclipse-temurin:25-jdk-noble AS build
WORKDIR /src
# Poms and the wrapper first: this layer, with every dependency and plugin, is reused until a
# pom changes. Installing from the poms alone builds empty module jars, which the real build
# below overwrites.
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY workflows/pom.xml workflows/
COPY activities/pom.xml activities/
COPY worker/pom.xml worker/
COPY api/pom.xml api/
COPY server/pom.xml server/
RUN ./mvnw -B -ntp -q -DskipTests -Dspring-boot.repackage.skip=true install
COPY . .
RUN ./mvnw -B -ntp -DskipTests install

FROM eclipse-temurin:25-jre-noble
# A fixed numeric uid so orchestrators can check runAsNonRoot and volumes can be chowned ahead.
RUN groupadd --system --gid 10001 gantry \
 && useradd --system --uid 10001 --gid gantry --home-dir /var/lib/gantry --shell /usr/sbin/nologin gantry \
 && mkdir -p /app /var/lib/gantry \
 && chown gantry:gantry /var/lib/gantry
COPY --from=build /src/server/target/gantry.jar /app/gantry.jar
# In a container the API must listen beyond loopback (the jar's default is 127.0.0.1).
ENV GANTRY_DATA_DIR=/var/lib/gantry \
    SERVER_ADDRESS=0.0.0.0
VOLUME /var/lib/gantry
WORKDIR /var/lib/gantry
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/gantry.jar"]
