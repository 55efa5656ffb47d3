package dev.gantry.health;

/** What an environment's health endpoint last reported. */
public record LiveReport(String digest, boolean healthy, int polls, String detail) {}
