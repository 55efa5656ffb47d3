package dev.gantry.evidence;

/**
 * The release evidence is about.
 *
 * @param image the service's image repository ({@code host/path} or {@code oci:/dir})
 * @param digest the release's resolved image digest
 */
public record ReleaseRef(String service, String commit, String image, String digest) {}
