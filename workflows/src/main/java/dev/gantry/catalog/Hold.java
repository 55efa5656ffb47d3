package dev.gantry.catalog;

import java.time.Instant;

/** A stop on promotions into one environment, until someone clears it. */
public record Hold(String by, String reason, Instant at) {}
