package dev.gantry.gitops;

/**
 * Outcome of a pin.
 *
 * @param commit the commit that pinned the digest: the new one, or the existing commit carrying the
 *     same trailer when a retried pin finds its change already in place
 * @param previousDigest the digest the file held before this change
 * @param changed false when the digest was already pinned (nothing to change is a success)
 */
public record GitChange(String commit, String previousDigest, boolean changed) {}
