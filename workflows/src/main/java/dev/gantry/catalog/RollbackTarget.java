package dev.gantry.catalog;

/** A digest that was promoted into an environment and verified healthy there. */
public record RollbackTarget(String digest, String commit) {}
