package dev.gantry.model;

/**
 * Where an environment's digest lives: a YAML file on a branch of a git repository, and the path
 * of the digest scalar inside it, e.g. {@code image.digest} or {@code images[1].digest}.
 *
 * @param repository a git URL or a local path to a (bare) repository
 */
public record GitOpsTarget(String repository, String branch, String file, String path) {}
