package dev.gantry.release;

/** Answer to a {@link Registration}: whether this call created the release, and the release. */
public record Registered(boolean created, ReleaseView release) {}
