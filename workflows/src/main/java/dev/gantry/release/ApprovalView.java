package dev.gantry.release;

import java.time.Instant;

public record ApprovalView(String by, Instant at, String comment) {}
