package dev.gantry.release;

import java.time.Instant;

/** A decision that arrived as a signal and broke a rule; kept so the refusal is visible. */
public record RefusedDecision(String environment, String by, String kind, String reason, Instant at) {}
