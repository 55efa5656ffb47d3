package dev.gantry.gitops;

import dev.gantry.model.GitOpsTarget;
import java.util.Map;

/**
 * Pin {@code digest} at {@code target}; the commit message is {@code message} followed by the
 * trailers (e.g. {@code Gantry-Promotion: <workflow id>/<run id>}), in order.
 */
public record PinRequest(GitOpsTarget target, String digest, String message, Map<String, String> trailers) {}
